import { addRecipients } from './add-recipients.js';
import { changeDocument } from './change-document.js';
import { deleteForAll } from './delete-for-all.js';
import type { Actor, Deps } from './deps.js';
import { maxDocumentBytes } from './access.js';
import { depositDocument } from './deposit-document.js';
import { downloadDocument } from './download-document.js';
import { createCategory, listCategories, renameCategory, retireCategory } from './manage-categories.js';
import { getSettings, updateSettings } from './manage-settings.js';
import { getDocument, myDistribution, myLocker, myNotifications } from './queries.js';
import { auditEvents, documentHistory, lockerAsOf } from './audit.js';
import { removeFromLocker } from './remove-from-locker.js';
import { sweepBlobs } from './sweep-blobs.js';
import { rollover } from './rollover.js';
import { rolloverJobs } from './rollover-jobs.js';
import { syncDirectory } from './sync-directory.js';
import { updateContent } from './update-content.js';

/** Every use case, bound to its ports: what the HTTP edge and the CLI call. */
export const useCases = (deps: Deps) => ({
  syncDirectory: syncDirectory(deps),
  listCategories: listCategories(deps),
  createCategory: createCategory(deps),
  renameCategory: renameCategory(deps),
  retireCategory: retireCategory(deps),
  getSettings: getSettings(deps),
  updateSettings: updateSettings(deps),
  depositDocument: depositDocument(deps),
  getDocument: getDocument(deps),
  changeDocument: changeDocument(deps),
  addRecipients: addRecipients(deps),
  updateContent: updateContent(deps),
  downloadDocument: downloadDocument(deps),
  deleteForAll: deleteForAll(deps),
  removeFromLocker: removeFromLocker(deps),
  myLocker: myLocker(deps),
  myDistribution: myDistribution(deps),
  myNotifications: myNotifications(deps),
  auditEvents: auditEvents(deps),
  lockerAsOf: lockerAsOf(deps),
  documentHistory: documentHistory(deps),
  sweepBlobs: sweepBlobs(deps),
  rollover: rollover(deps),
  rollovers: rolloverJobs(deps),
  catchUp: () => deps.projector.catchUp(),
  /** The caller's tenant limit, read after catching up so an admin's change applies at once. */
  getLimits: async (actor: Actor) => {
    await deps.projector.catchUp();
    return { maxDocumentBytes: maxDocumentBytes(deps, actor.tenant) };
  },
  ready: async () => {
    const [events, blobs] = await Promise.all([deps.events.ping(), deps.blobs.ping()]);
    return events.isOk() && blobs.isOk() ? { ok: true as const } : { ok: false as const, detail: [events, blobs].filter((r) => r.isErr()).map((r) => r._unsafeUnwrapErr().code).join(', ') };
  },
});

export type UseCases = ReturnType<typeof useCases>;
