// Lists the mutants a Stryker run left alive (survived or without coverage) as a Markdown table,
// from reports/mutation/mutation.json: `node scripts/list-survivors.mjs > docs/mutation-survivors.md`.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(new URL('../reports/mutation/mutation.json', import.meta.url), 'utf8'));
/** Survivors whose difference no caller can observe, by the shape of the line they are on. */
const equivalent = (line, m) => {
  if (/waitForReadModels|expectNew/.test(line) && /BooleanLiteral|ObjectLiteral|ConditionalExpression/.test(m.mutatorName)) return 'command-path option: when read models catch up, or whether a new stream is read first';
  if (/setTimeout|Math\.random/.test(line)) return 'retry jitter';
  if (/derive\(|streams\.|`\$\{tenant\}/.test(line) && m.mutatorName === 'StringLiteral') return 'an id or stream-name literal: another name, used consistently';
  if (/settled|finally/.test(line)) return 'settling on shutdown';
  return '';
};
/** Survivors looked at one by one: where (file:line, mutator) and why no caller can tell them from the code. */
const byHand = {
  'src/domain/deposited-document/decide.ts:375': 'a class gone from the directory has no teachers; whatever its fallback holds, the holdsLocker filter after it keeps no one who is not a locker holder',
  'src/application/handle-command.ts:156': 'with nothing to append, the append of nothing answers the same outcomes',
  'src/application/projector.ts:56': 'a run started after stop reads nothing: its first read answers the same STOPPED error',
  'src/application/projector.ts:130': 'a shortcut: with no listener, the loop below calls none',
  'src/application/streams.ts:37': 'no stream name holds `-lease` anywhere but at its end',
  'src/application/upcasters.ts:35': 'no step is registered at the current version: the extra turn finds none',
  'src/application/use-cases/acknowledge.ts:23': 'Remind decides ReminderSent events only',
  'src/application/use-cases/add-recipients.ts:21': 'the decision held, so the same choice resolves: the fallback is never taken',
  'src/application/use-cases/audit.ts:96': "only document streams hold events a document's evolve folds; the others that name a document are tidying, handled above",
  'src/application/use-cases/audit.ts:100': 'a shortcut: events of no document, or of another, fold into entries never returned',
  'src/application/use-cases/audit.ts:102': "only document streams hold events a document's evolve folds; the others that name a document are tidying, handled above",
  'src/application/use-cases/audit.ts:131': 'a document that never was folds to no state, which answers the same not found below',
  'src/application/use-cases/collections.ts:47': 'the decider refuses a submission to a request that is not there first',
  'src/application/use-cases/collections.ts:68': 'equivalent in outcome: one more catch-up inside a single submission, which catches up after it anyway',
  'src/application/use-cases/collections.ts:119': 'RemindCollection decides CollectionReminderSent events only',
  'src/application/use-cases/dispatch-mail.ts:49': "a given-up endpoint's mail shows its URL, never the category field",
  'src/application/use-cases/dispatch-mail.ts:69': 'a shortcut: marking no mail changes nothing',
  'src/application/use-cases/dispatch-mail.ts:92:StringLiteral': "the Message-ID's derivation label: only ever compared with itself, on a resend",
  'src/application/use-cases/dispatch-mail.ts:92:MethodExpression': "the outbox gives a person's due mails in the same order at every attempt",
  'src/application/use-cases/download-document.ts:41': 'Consult is refused for a version that is not there, before this',
  'src/application/use-cases/download-document.ts:43': 'deciding the opening again when it is recorded already appends nothing',
  'src/application/use-cases/mark-notifications-read.ts:22': 'an id that names no notification marks nothing',
  'src/application/use-cases/restore-to-locker.ts:36': 'the locker decides a restore only for what its holder removed: one for anyone else decides nothing',
  'src/application/use-cases/restore-to-locker.ts:52': 'catching up when nothing was written changes nothing',
  'src/application/use-cases/rollover.ts:59': 'a group is always asked of the directory before it is read back',
  'src/application/use-cases/rollover.ts:106': "a carry's id derives from its target year: one carried into another year never matches",
  'src/application/use-cases/rollover.ts:181': 'a shortcut: handleMany of nothing answers nothing',
  'src/application/use-cases/rollover.ts:182': "carries are decided before they are written: none is refused at the append unless a stream changed meanwhile, and the race spec's retry carries it",
  'src/application/use-cases/rollover.ts:187': 'a carry decided again after a race is refused only as NOT_CARRIED',
  'src/application/use-cases/rollover.ts:206': 'a real run reads the carried stream again anyway: the re-read decides the same',
  'src/application/use-cases/rollover.ts:239': 'a carry onto its own earlier carry is refused only as NOT_CARRIED',
  'src/application/use-cases/rollover.ts:243': 'a write of no events appends nothing',
  'src/application/use-cases/rollover.ts:246:EqualityOperator': "with the store's batches, > and >= flush at the same counts",
  'src/application/use-cases/scans.ts:37': 'a blob read that fails is counted as failed; its message is not shown',
  'src/application/use-cases/scans.ts:69': 'without a scanner nothing is pending: the query answers nothing',
  'src/application/use-cases/snapshots.ts:15': 'a copy this run did not take with the same bytes would hold the same checkpoint row and the same lease: none is taken twice',
  'src/application/use-cases/sweep-blobs.ts:44': 'setAside itself refuses a blob modified after the cutoff, and the second phase puts back one in use: the check spares work, the outcome is the same',
  'src/application/use-cases/sweep-blobs.ts:47': 'setAside answers set-aside for every blob this loop reaches (the others are skipped above)',
  'src/application/use-cases/sync-directory.ts:28': 'a shortcut: no moves address no documents',
  'src/application/use-cases/sync-directory.ts:128': 'applyDirectory asks no permission of the resuming actor: its scopes are never read',
  'src/application/use-cases/webhooks.ts:43': 'fetch never answers a final status below 200',
  'src/application/use-cases/webhooks.ts:48': 'removing an endpoint abandons its deliveries: none is attempted for an endpoint gone',
  'src/application/use-cases/webhooks.ts:62': "only a stream's head is ever attempted: the next one has never been tried, so it has no nextAttemptAt",
  'src/application/use-cases/webhooks.ts:129': 'the registration was just projected: its view is there',
  'src/application/use-cases/webhooks.ts:136': 'no endpoint exists without a credential store to keep its secret',
  'src/application/use-cases/clouds.ts:61': 'the account was just linked and projected: it is listed',
  'src/application/use-cases/clouds.ts:62': 'the account was just linked and projected: it is listed',
  'src/application/use-cases/clouds.ts:73': 'no cloud is linked without a credential store',
  'src/application/use-cases/deposit-document.ts:175': 'equivalent in outcome: one more catch-up, right before the one after it',
  'src/domain/notification/mail-lease.ts:15': 'the only event sets holder and until together: one is defined exactly when the other is',
  'src/domain/notification/preferences.ts:32': 'Intl refuses an empty zone name before its length is read',
  'src/domain/notification/preferences.ts:84': 'a window whose start is its end is refused by checkQuietHours before it is ever used',
  'src/domain/locker/locker.ts:69': 'the cases it falls into return the state unchanged, as this one does',
  'src/domain/locker/locker.ts:109': 'an absent upTo written as undefined is dropped with the event’s JSON, and NotificationsRead changes no locker state',
  'src/domain/collection-request/collection.ts:164:LogicalOperator': 'visible() already refuses whoever is neither the requester nor asked; of the two left, only the requester fails, in either form',
  'src/domain/collection-request/collection.ts:155': 'a submission always names at least one document (the use case refuses a request without a file first)',
  'src/domain/tenant-settings/tenant-settings.ts:118': 'tabs and line breaks are not in FORBIDDEN: replaced by a space or by nothing, the test answers the same',
  'src/domain/tenant-settings/tenant-settings.ts:126': 'folding to upper or to lower case makes the same designations equal (both only compare)',
  'src/domain/deposited-document/document.ts:87': 'a carried document’s event has no `acknowledgement`: `d.acknowledgement?.required` is undefined either way',
  'src/domain/directory/sync-directory.ts:52': 'the split’s guard against a part with no item: the directory property checks it, per-test coverage did not attribute it',
};
/** Survivors of the last run that a spec written after it kills (each written against its mutant): file:line → the spec. */
const killedAfter = {
  'src/domain/deposited-document/decide.ts:191': 'removing the default parameter no caller used (checkEditing takes `minor` from every caller)',
  'src/domain/deposited-document/decide.ts:282': 'test/domain/document-lifecycle.spec.ts (a version from a linked cloud)',
  'src/domain/tenant-settings/tenant-settings.ts:162': 'test/domain/tenant-settings.spec.ts',
  'src/domain/tenant-settings/tenant-settings.ts:171': 'test/domain/tenant-settings.spec.ts',
  'src/domain/tenant-settings/tenant-settings.ts:172': 'test/domain/tenant-settings.spec.ts',
  'src/domain/tenant-settings/tenant-settings.ts:176': 'test/domain/tenant-settings.spec.ts',
  'src/domain/locker/locker.ts:98': 'test/domain/locker.spec.ts',
  'src/domain/locker/locker.ts:104': 'test/domain/locker.spec.ts',
  'src/domain/locker/locker.ts:116': 'test/domain/locker.spec.ts',
  'src/domain/locker/locker.ts:119': 'test/domain/locker.spec.ts',
  'src/domain/locker/locker.ts:120': 'test/domain/locker.spec.ts',
  'src/domain/notification/mail-lease.ts:18': 'test/domain/notification.spec.ts',
  'src/domain/webhook/webhook.ts:102': 'test/domain/webhook.spec.ts',
  'src/domain/webhook/webhook.ts:112': 'test/domain/webhook.spec.ts',
  'src/domain/deposited-document/recipients.ts:62': 'test/domain/deposited-document.spec.ts',
  'src/domain/deposited-document/recipients.ts:65': 'test/domain/deposited-document.spec.ts',
  'src/domain/deposited-document/recipients.ts:94': 'test/domain/following.spec.ts',
  'src/domain/deposited-document/recipients.ts:96': 'test/domain/following.spec.ts',
  'src/domain/collection-request/collection.ts:164': 'test/domain/collection.spec.ts',
  'src/domain/deposited-document/decide.ts:212': 'test/domain/document-lifecycle.spec.ts',
  'src/domain/deposited-document/decide.ts:269': 'test/domain/acknowledgement.spec.ts',
  'src/domain/directory/groups.ts:28': 'test/domain/following.spec.ts',
  'src/domain/directory/directory.ts:41': 'test/domain/directory.spec.ts',
  'src/application/use-cases/scans.ts:84': 'test/application/scans.spec.ts (checked by a hand-made mutant)',
  'src/application/use-cases/acknowledge.ts:50': 'test/application/job-actors.spec.ts',
  'src/application/use-cases/snapshots.ts:36': 'test/application/job-actors.spec.ts',
  'src/application/use-cases/snapshots.ts:12': 'test/application/store-failures.spec.ts',
  'src/application/use-cases/erasure.ts:43': 'test/application/store-failures.spec.ts',
  'src/application/credentials.ts:6': 'test/application/store-failures.spec.ts',
  'src/application/use-cases/dispatch-mail.ts:156': 'test/application/mail-dispatch.spec.ts',
  'src/application/use-cases/webhooks.ts:156': 'test/application/webhooks.spec.ts',
  'src/application/use-cases/deposit-document.ts:168': 'test/application/deposits-and-downloads.spec.ts',
  'src/application/use-cases/rollover.ts:246': 'test/application/rollover-paths.spec.ts (at least two commits for 1,100 carries)',
  'src/application/use-cases.ts:100': 'test/application/scans.spec.ts',
};
const rows = [];
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const lines = source.split('\n');
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const line = lines[m.location.start.line - 1] ?? '';
    const cell = (s) => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 90);
    const where = `${file}:${m.location.start.line}`;
    const why = byHand[`${where}:${m.mutatorName}`] ?? (killedAfter[where] ? `killed after the run by ${killedAfter[where]}` : (byHand[where] ?? equivalent(line, m)));
    rows.push(`| ${where} | ${m.status === 'Survived' ? 'survived' : 'no coverage'} | ${m.mutatorName} | \`${cell(m.replacement ?? '')}\` | ${why} |`);
  }
}
process.stdout.write(
  [
    '# Mutants left alive by the last mutation run',
    '',
    'Generated by `node scripts/list-survivors.mjs` from `reports/mutation/mutation.json` (see the README for the run).',
    'The last column says why a mutant cannot be told apart from the code, where that is clear from its shape; the README',
    'names the others looked at one by one.',
    '',
    '| where | status | mutator | replacement | equivalent because |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
