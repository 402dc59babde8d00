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
  'src/application/use-cases/sweep-blobs.ts:44': 'setAside itself refuses a blob modified after the cutoff, and the second phase puts back one in use: the check spares work, the outcome is the same',
  'src/application/use-cases/update-content.ts:33': 'a default parameter every caller passes',
  'src/application/use-cases/update-content.ts:40': 'a default parameter every caller passes',
  'src/application/streams.ts:32': 'read only where EventStoreDB is configured (how many lease events a stream keeps): no EventStoreDB runs here',
  'src/application/handle-command.ts:156': 'with nothing to append, the append of nothing answers the same outcomes',
  'src/application/use-cases/snapshots.ts:15:ConditionalExpression': 'a copy this run did not take with the same bytes would hold the same checkpoint row and the same lease: none is taken twice',
  'src/application/use-cases/restore-to-locker.ts:36': 'the locker decides a restore only for what its holder removed: one for anyone else decides nothing',
  'src/application/use-cases/restore-to-locker.ts:52': 'catching up when nothing was written changes nothing',
  'src/application/use-cases/webhooks.ts:32:BooleanLiteral': 'command-path option: `wait` is handed to waitForReadModels (when read models catch up)',
  'src/application/use-cases/webhooks.ts:71:BooleanLiteral': 'command-path option: `wait` is handed to waitForReadModels (when read models catch up)',
  'src/application/use-cases/webhooks.ts:85:BooleanLiteral': 'command-path option: `wait` is handed to waitForReadModels (when read models catch up)',
  'src/application/use-cases/sync-directory.ts:128:ArrayDeclaration': 'applyDirectory asks no permission of the resuming actor: its scopes are never read',
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
  'src/application/use-cases/sweep-blobs.ts:28': 'test/application/sweep-blobs.spec.ts',
  'src/application/use-cases/sweep-blobs.ts:35': 'test/application/sweep-blobs.spec.ts',
  'src/application/use-cases/retention.ts:17': 'test/application/operations.spec.ts',
  'src/application/use-cases/dispatch-mail.ts:46': 'test/application/mail-dispatch.spec.ts (checked by a hand-made mutant)',
  'src/application/use-cases/dispatch-mail.ts:58': 'test/application/mail-dispatch.spec.ts (checked by a hand-made mutant)',
  'src/application/use-cases/dispatch-mail.ts:60': 'test/application/mail-dispatch.spec.ts (checked by a hand-made mutant)',
  'src/application/use-cases/verification-jobs.ts:29': 'test/application/verification-jobs.spec.ts (checked by hand-made mutants)',
  'src/application/use-cases/verification-jobs.ts:33': 'test/application/verification-jobs.spec.ts (checked by hand-made mutants)',
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
