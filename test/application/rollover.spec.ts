import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloverProgress } from '../../src/application/use-cases/rollover.js';
import { SYSTEM_SCOPE } from '../../src/application/use-cases/rollover.js';
import { schoolDirectory } from '../support/fixtures.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

const FROM = '2025-2026';
const TO = '2026-2027';

/**
 * One school year with one document for each outcome of a carry, then the directory of the next
 * year (Paul and Sophie gone): what each run reports is said by the rules, document by document.
 */
describe('the rollover at the application layer', () => {
  let app: EmbeddedApp;
  let minutes: string;
  let timetables: string;
  const docs: Record<string, string> = {};
  const count = async () => app.deps.events.count!('school');
  const system = as('system', 'school', [SYSTEM_SCOPE]);
  const run = (request: { dryRun: boolean; categories?: string[] }, onProgress?: (p: RolloverProgress) => void) =>
    app.useCases.rollover(as('admin'), { from: FROM, to: TO, ...request }, onProgress);

  beforeAll(async () => {
    app = await embeddedApp();
    const uc = app.useCases;
    (await uc.updateSettings(as('admin'), { currentYear: FROM }))._unsafeUnwrap();
    minutes = (await uc.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    timetables = (await uc.createCategory(as('admin'), 'Timetables'))._unsafeUnwrap().id;
    // Carried, Admin dropped (they removed it from their locker), Marc kept.
    docs.carried = await deposited(app, 'anne', { users: ['marc', 'admin'], classes: [] }, minutes, 'Carried');
    (await uc.removeFromLocker(as('admin'), docs.carried))._unsafeUnwrap();
    // Carried whole.
    docs.whole = await deposited(app, 'anne', { users: ['marc'], classes: [] }, timetables, 'Whole');
    docs.deleted = await deposited(app, 'anne', { users: ['marc'], classes: [] }, minutes, 'Deleted');
    (await uc.deleteForAll(as('anne'), docs.deleted))._unsafeUnwrap();
    docs.depositorLeft = await deposited(app, 'paul', { users: ['marc'], classes: [] }, minutes, 'Paul’s');
    docs.noRecipientLeft = await deposited(app, 'anne', { users: ['sophie'], classes: [] }, minutes, 'Sophie’s');
    const nextYear = { ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'paul' && u.id !== 'sophie'), classes: [] };
    (await uc.syncDirectory(as('s', 'school', ['directory:write']), nextYear as never))._unsafeUnwrap();
  });
  afterAll(() => app.stop());

  const expected = (dryRun: boolean) => ({
    tenant: 'school',
    from: FROM,
    to: TO,
    dryRun,
    documentsExamined: 5,
    carried: 2,
    alreadyCarried: 0,
    updated: 0,
    skipped: { deleted: 1, 'category-excluded': 0, 'depositor-left': 1, 'no-recipient-left': 1 },
    perCategory: { [minutes]: { carried: 1, skipped: 3 }, [timetables]: { carried: 1, skipped: 0 } },
    droppedRecipients: [{ documentId: docs.carried, userIds: ['admin'] }],
  });

  it('is refused to a teacher and for years that do not follow each other, before reading anything', async () => {
    expect((await app.useCases.rollover(as('anne'), { from: FROM, to: TO, dryRun: true }))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    expect((await app.useCases.rollover(as('admin'), { from: FROM, to: '2027-2028', dryRun: true }))._unsafeUnwrapErr()).toEqual({
      code: 'INVALID_INPUT',
      detail: `a rollover goes from a school year to the next one (${FROM} → ${TO})`,
    });
    expect((await app.useCases.rollover(as('admin'), { from: 'last year', to: TO, dryRun: true }))._unsafeUnwrapErr()).toEqual({
      code: 'INVALID_INPUT',
      detail: 'a rollover goes from a school year to the next one (last year → ?)',
    });
  });

  it('a dry run reports each document’s fate, says how far it got, and writes nothing', async () => {
    const before = await count();
    const seen: RolloverProgress[] = [];
    const report = (await run({ dryRun: true }, (p) => seen.push(p)))._unsafeUnwrap();
    expect(report).toEqual({ ...expected(true), eventsReplayed: report.eventsReplayed });
    // Every event of the year's five documents was replayed, and only those.
    const streams = await Promise.all(Object.values(docs).map((id) => app.deps.events.readStream(app.deps.streams.document('school', id))));
    expect(report.eventsReplayed).toBe(streams.reduce((n, s) => n + s._unsafeUnwrap().length, 0));
    expect(seen[0]).toEqual({ phase: 'replaying', eventsReplayed: 0, documentsExamined: 0, documentsTotal: 5 });
    expect(seen.at(-1)).toEqual({ phase: 'done', eventsReplayed: report.eventsReplayed, documentsExamined: 5, documentsTotal: 5 });
    expect(await count()).toBe(before);
  });

  it('a category filter skips the others as excluded', async () => {
    const report = (await run({ dryRun: true, categories: [timetables] }))._unsafeUnwrap();
    expect(report).toMatchObject({ carried: 1, skipped: { deleted: 1, 'category-excluded': 3, 'depositor-left': 0, 'no-recipient-left': 0 } });
    expect(report.perCategory).toEqual({ [minutes]: { carried: 0, skipped: 4 }, [timetables]: { carried: 1, skipped: 0 } });
    expect(report.droppedRecipients).toEqual([]);
  });

  it('the run carries what the dry run said, into the next year, and a rerun carries nothing twice', async () => {
    const before = await count();
    const report = (await app.useCases.rollover(system, { from: FROM, to: TO, dryRun: false }))._unsafeUnwrap();
    expect(report).toEqual({ ...expected(false), eventsReplayed: report.eventsReplayed });
    expect(await count()).toBe(before + 2);
    const marcNextYear = (await app.useCases.myLocker(as('marc'), { year: TO }, { limit: 50 }))._unsafeUnwrap().items.map((d) => d.title).sort();
    expect(marcNextYear).toEqual(['Carried', 'Whole']);
    expect((await app.useCases.myLocker(as('admin'), { year: TO }, { limit: 50 }))._unsafeUnwrap().items).toEqual([]);
    // Year N is as it was (Paul left, what he deposited stays with its recipients).
    expect((await app.useCases.myLocker(as('marc'), { year: FROM }, { limit: 50 }))._unsafeUnwrap().items.map((d) => d.title).sort()).toEqual(['Carried', 'Paul’s', 'Whole']);

    const again = (await run({ dryRun: false }))._unsafeUnwrap();
    expect(again).toMatchObject({ carried: 2, alreadyCarried: 2, updated: 0 });
    expect(await count()).toBe(before + 2);
  });

  it('a rerun after changes in year N brings the carried documents up to date, deletion included', async () => {
    (await app.useCases.changeDocument(as('anne'), docs.whole!, { memo: 'changed after the first run' }))._unsafeUnwrap();
    const dry = (await run({ dryRun: true }))._unsafeUnwrap();
    expect(dry).toMatchObject({ carried: 2, alreadyCarried: 2, updated: 1 });
    const report = (await run({ dryRun: false }))._unsafeUnwrap();
    expect(report).toMatchObject({ carried: 2, alreadyCarried: 2, updated: 1 });
    const whole = (await app.useCases.myLocker(as('marc'), { year: TO }, { limit: 50 }))._unsafeUnwrap().items.find((d) => d.title === 'Whole')!;
    expect(whole.memo).toBe('changed after the first run');

    (await app.useCases.deleteForAll(as('anne'), docs.carried!))._unsafeUnwrap();
    const afterDeletion = (await run({ dryRun: false }))._unsafeUnwrap();
    expect(afterDeletion).toMatchObject({ carried: 1, alreadyCarried: 1, updated: 1, skipped: { deleted: 2 } });
    expect((await app.useCases.myLocker(as('marc'), { year: TO }, { limit: 50 }))._unsafeUnwrap().items.map((d) => d.title)).toEqual(['Whole']);
  });
});
