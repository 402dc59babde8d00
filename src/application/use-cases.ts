import { err, ok, ResultAsync } from 'neverthrow';

import type { Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { catchUp } from './handle-command.js';
import { acknowledgeDocument, documentReceipts, remindDue, remindRecipients } from './use-cases/acknowledge.js';
import { addRecipients } from './use-cases/add-recipients.js';
import { collections } from './use-cases/collections.js';
import { clouds } from './use-cases/clouds.js';
import { applyRetention, setCategoryRetention } from './use-cases/retention.js';
import { erasures } from './use-cases/erasure.js';
import { schoolMoves } from './school-moves.js';
import { eventStream } from './use-cases/event-stream.js';
import { auditCheckpoints, auditEvents, documentHistory, lockerAsOf } from './use-cases/audit.js';
import { notarize } from './notary.js';
import { changeDocument } from './use-cases/change-document.js';
import { checkDeposit } from './use-cases/check-deposit.js';
import { deleteForAll } from './use-cases/delete-for-all.js';
import { depositDocument } from './use-cases/deposit-document.js';
import { pruneDeliveries } from './use-cases/prune-deliveries.js';
import { downloadDocument } from './use-cases/download-document.js';
import { createCategory, listCategories, renameCategory, retireCategory } from './use-cases/manage-categories.js';
import { getSettings, updateSettings } from './use-cases/manage-settings.js';
import { getDocument, myDistribution, myLocker, myNotifications, unreadNotificationCount } from './use-cases/queries.js';
import { markNotificationsRead } from './use-cases/mark-notifications-read.js';
import { mailOutbox, myPreferences, requeueFailedMail, setMyPreferences } from './use-cases/mail-preferences.js';
import { removeFromLocker } from './use-cases/remove-from-locker.js';
import { restoreToLocker } from './use-cases/restore-to-locker.js';
import { rollover } from './use-cases/rollover.js';
import { rolloverJobs } from './use-cases/rollover-jobs.js';
import { verificationJobs } from './use-cases/verification-jobs.js';
import { scans } from './use-cases/scans.js';
import { snapshots } from './use-cases/snapshots.js';
import { sweepBlobs } from './use-cases/sweep-blobs.js';
import { readDirectory, resumeDirectorySync, syncDirectory } from './use-cases/sync-directory.js';
import { updateContent } from './use-cases/update-content.js';

/** Every use case, bound to its ports: what the HTTP edge and the CLI call. */
export const useCases = (deps: Deps) => ({
  syncDirectory: syncDirectory(deps),
  readDirectory: readDirectory(deps),
  resumeDirectorySync: resumeDirectorySync(deps),
  listCategories: listCategories(deps),
  createCategory: createCategory(deps),
  renameCategory: renameCategory(deps),
  retireCategory: retireCategory(deps),
  getSettings: getSettings(deps),
  updateSettings: updateSettings(deps),
  depositDocument: depositDocument(deps),
  checkDeposit: checkDeposit(deps),
  getDocument: getDocument(deps),
  changeDocument: changeDocument(deps),
  addRecipients: addRecipients(deps),
  collections: collections(deps),
  clouds: clouds(deps),
  setCategoryRetention: setCategoryRetention(deps),
  applyRetention: applyRetention(deps),
  erasures: erasures(deps),
  /** Schools being imported into this cell, which its jobs leave alone (ADR 54). */
  schoolMoves: schoolMoves(deps),
  scans: scans(deps),
  snapshots: snapshots(deps),
  eventStream: eventStream(deps),
  acknowledgeDocument: acknowledgeDocument(deps),
  remindRecipients: remindRecipients(deps),
  documentReceipts: documentReceipts(deps),
  remindDue: remindDue(deps),
  updateContent: updateContent(deps),
  downloadDocument: downloadDocument(deps),
  deleteForAll: deleteForAll(deps),
  removeFromLocker: removeFromLocker(deps),
  restoreToLocker: restoreToLocker(deps),
  myLocker: myLocker(deps),
  myDistribution: myDistribution(deps),
  myNotifications: myNotifications(deps),
  unreadNotificationCount: unreadNotificationCount(deps),
  markNotificationsRead: markNotificationsRead(deps),
  myPreferences: myPreferences(deps),
  setMyPreferences: setMyPreferences(deps),
  mailOutbox: mailOutbox(deps),
  requeueFailedMail: requeueFailedMail(deps),
  auditEvents: auditEvents(deps),
  lockerAsOf: lockerAsOf(deps),
  documentHistory: documentHistory(deps),
  auditCheckpoints: auditCheckpoints(deps),
  notarize: notarize(deps),
  sweepBlobs: sweepBlobs(deps),
  pruneDeliveries: pruneDeliveries(deps),
  rollover: rollover(deps),
  rollovers: rolloverJobs(deps),
  verifications: verificationJobs(deps, deps.chains),
  catchUp: (): ResultAsync<void, UseCaseError> => catchUp(deps.projector),
  rebuild: (onProgress?: (p: { applied: number }) => void): ResultAsync<bigint, UseCaseError> => new ResultAsync(deps.projector.rebuild(onProgress)),
  /** How far behind this node's read models are: events not yet applied (up to 10,000), and the oldest one's age. */
  projectorLag: (): ResultAsync<{ events: number; seconds: number }, UseCaseError> =>
    deps.events.readAll({ after: deps.readModels.checkpoint(), limit: 10_000 }).map((pending) => ({
      events: pending.length,
      seconds: pending[0] ? Math.max(0, (Date.parse(deps.clock.now()) - Date.parse(pending[0].meta.at)) / 1000) : 0,
    })),
  /** Readiness: both stores answer, and the virus scanner where one is configured; the codes of those that do not. */
  ready: (): ResultAsync<void, UseCaseError[]> =>
    new ResultAsync(
      Promise.all([deps.events.ping(), deps.blobs.ping(), ...(deps.scanner ? [deps.scanner.ping()] : [])]).then((results) => {
        const failed = results.flatMap((r) => (r.isErr() ? [r.error as UseCaseError] : []));
        return failed.length === 0 ? ok(undefined) : err(failed);
      }),
    ),
});

export type UseCases = ReturnType<typeof useCases>;
