import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RolloverProgress } from '../../src/application/use-cases/rollover.js';
import { SYSTEM_SCOPE } from '../../src/application/use-cases/rollover.js';
import { schoolDirectory } from '../support/fixtures.js';
import { as, embeddedApp, textFile, type EmbeddedApp } from '../support/embedded-app.js';

const FROM = '2025-2026';
const TO = '2026-2027';

/**
 * One school year with one document for each outcome of a carry, then the directory of the next
 * year (Paul and Sophie gone): what each run reports is said by the rules, document by document.
 * Each test has a tenant of its own, set up the same way, so they pass in any order.
 */
describe('the rollover at the application layer', () => {
  let app: EmbeddedApp;
  const TENANTS = ['dry', 'filtered', 'run', 'rerun', 'refused'];
  const count = async (tenant: string) => (await app.deps.events.readAll({ tenant, limit: 1_000_000 }))._unsafeUnwrap().length;

  /** The year of one tenant: its categories and its five documents. */
  const schoolYear = async (tenant: string) => {
    const uc = app.useCases;
    const admin = as('admin', tenant);
    (await uc.updateSettings(admin, { currentYear: FROM }))._unsafeUnwrap();
    const minutes = (await uc.createCategory(admin, 'Minutes'))._unsafeUnwrap().id;
    const timetables = (await uc.createCategory(admin, 'Timetables'))._unsafeUnwrap().id;
    const deposit = async (by: string, users: string[], categoryId: string, title: string) => {
      const checked = (await uc.depositDocument.check(as(by, tenant), { recipients: { users, classes: [] }, categoryId, title }, undefined))._unsafeUnwrap();
      return (await uc.depositDocument.store(checked, textFile(title)))._unsafeUnwrap().document.id;
    };
    // Carried, Admin dropped (they removed it from their locker), Marc kept.
    const carried = await deposit('anne', ['marc', 'admin'], minutes, 'Carried');
    (await uc.removeFromLocker(admin, carried))._unsafeUnwrap();
    const whole = await deposit('anne', ['marc'], timetables, 'Whole');
    const deleted = await deposit('anne', ['marc'], minutes, 'Deleted');
    (await uc.deleteForAll(as('anne', tenant), deleted))._unsafeUnwrap();
    const depositorLeft = await deposit('paul', ['marc'], minutes, 'Paul’s');
    const noRecipientLeft = await deposit('anne', ['sophie'], minutes, 'Sophie’s');
    const nextYear = { ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'paul' && u.id !== 'sophie'), classes: [] };
    (await uc.syncDirectory(as('s', tenant, ['directory:write']), nextYear as never))._unsafeUnwrap();
    return { minutes, timetables, docs: { carried, whole, deleted, depositorLeft, noRecipientLeft } };
  };
  type Year = Awaited<ReturnType<typeof schoolYear>>;
  const years: Record<string, Year> = {};
  const run = (tenant: string, request: { dryRun: boolean; categories?: string[] }, onProgress?: (p: RolloverProgress) => void) =>
    app.useCases.rollover(as('admin', tenant), { from: FROM, to: TO, ...request }, onProgress);
  const titles = async (who: string, tenant: string, year: string) =>
    (await app.useCases.myLocker(as(who, tenant), { year }, { limit: 50 }))._unsafeUnwrap().items.map((d) => d.title).sort();

  beforeAll(async () => {
    app = await embeddedApp({ tenants: TENANTS });
    for (const tenant of TENANTS) years[tenant] = await schoolYear(tenant);
  });
  afterAll(() => app.stop());

  const expected = (tenant: string, dryRun: boolean) => {
    const { minutes, timetables, docs } = years[tenant]!;
    return {
      tenant,
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
    };
  };

  it('says how far it got every 50 documents while carrying', async () => {
    const tenant = 'many';
    (await app.useCases.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap();
    (await app.useCases.updateSettings(as('admin', tenant), { currentYear: FROM }))._unsafeUnwrap();
    const categoryId = (await app.useCases.createCategory(as('admin', tenant), 'Minutes'))._unsafeUnwrap().id;
    for (let i = 0; i < 101; i++) {
      const checked = (await app.useCases.depositDocument.check(as('anne', tenant), { recipients: { users: ['marc'], classes: [] }, categoryId }, undefined))._unsafeUnwrap();
      (await app.useCases.depositDocument.store(checked, textFile(`document ${i}`)))._unsafeUnwrap();
    }
    const seen: RolloverProgress[] = [];
    (await app.useCases.rollover(as('admin', tenant), { from: FROM, to: TO, dryRun: true }, (p) => seen.push(p)))._unsafeUnwrap();
    expect(seen.map((p) => [p.phase, p.documentsExamined])).toEqual([
      ['replaying', 0],
      ['carrying', 50],
      ['carrying', 100],
      ['done', 101],
    ]);
  });

  it('is refused to a teacher and for years that do not follow each other, before reading anything', async () => {
    expect((await app.useCases.rollover(as('anne', 'refused'), { from: FROM, to: TO, dryRun: true }))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    expect((await app.useCases.rollover(as('admin', 'refused'), { from: FROM, to: '2027-2028', dryRun: true }))._unsafeUnwrapErr()).toEqual({
      code: 'INVALID_INPUT',
      detail: `a rollover goes from a school year to the next one (${FROM} → ${TO})`,
    });
    expect((await app.useCases.rollover(as('admin', 'refused'), { from: 'last year', to: TO, dryRun: true }))._unsafeUnwrapErr()).toEqual({
      code: 'INVALID_INPUT',
      detail: 'last year is not a school year: expected the form 2025-2026',
    });
  });

  it('a dry run reports each document’s fate, says how far it got, and writes nothing', async () => {
    const before = await count('dry');
    const seen: RolloverProgress[] = [];
    const report = (await run('dry', { dryRun: true }, (p) => seen.push(p)))._unsafeUnwrap();
    expect(report).toEqual({ ...expected('dry', true), eventsReplayed: report.eventsReplayed });
    // Every event of the year's five documents was replayed, and only those.
    const streams = await Promise.all(Object.values(years.dry!.docs).map((id) => app.deps.events.readStream(app.deps.streams.document('dry', id))));
    expect(report.eventsReplayed).toBe(streams.reduce((n, s) => n + s._unsafeUnwrap().length, 0));
    expect(seen[0]).toEqual({ phase: 'replaying', eventsReplayed: 0, documentsExamined: 0, documentsTotal: 5 });
    expect(seen.at(-1)).toEqual({ phase: 'done', eventsReplayed: report.eventsReplayed, documentsExamined: 5, documentsTotal: 5 });
    expect(await count('dry')).toBe(before);
  });

  it('a category filter skips the others as excluded', async () => {
    const { minutes, timetables } = years.filtered!;
    const report = (await run('filtered', { dryRun: true, categories: [timetables] }))._unsafeUnwrap();
    expect(report).toMatchObject({ carried: 1, skipped: { deleted: 1, 'category-excluded': 3, 'depositor-left': 0, 'no-recipient-left': 0 } });
    expect(report.perCategory).toEqual({ [minutes]: { carried: 0, skipped: 4 }, [timetables]: { carried: 1, skipped: 0 } });
    expect(report.droppedRecipients).toEqual([]);
  });

  it('the run carries what the dry run said, into the next year, and a rerun carries nothing twice', async () => {
    const before = await count('run');
    const report = (await app.useCases.rollover(as('system', 'run', [SYSTEM_SCOPE]), { from: FROM, to: TO, dryRun: false }))._unsafeUnwrap();
    expect(report).toEqual({ ...expected('run', false), eventsReplayed: report.eventsReplayed });
    expect(await count('run')).toBe(before + 2);
    expect(await titles('marc', 'run', TO)).toEqual(['Carried', 'Whole']);
    // Each carried document's id is derived from its source and the year it goes to: the same in
    // every run and every release, which is what makes a rerun find what an earlier one carried.
    const carriedIds = (await app.useCases.myLocker(as('marc', 'run'), { year: TO }, { limit: 50 }))._unsafeUnwrap().items.map((d) => d.id).sort();
    const { docs } = years.run!;
    expect(carriedIds).toEqual([docs.carried, docs.whole].map((source) => app.deps.ids.derive('rollover', 'run', source, TO)).sort());
    expect(await titles('admin', 'run', TO)).toEqual([]);
    // Year N is as it was (Paul left, what he deposited stays with its recipients).
    expect(await titles('marc', 'run', FROM)).toEqual(['Carried', 'Paul’s', 'Whole']);

    const again = (await run('run', { dryRun: false }))._unsafeUnwrap();
    expect(again).toMatchObject({ carried: 2, alreadyCarried: 2, updated: 0 });
    expect(await count('run')).toBe(before + 2);
  });

  it('a document addressed to a group goes to the group as the next year’s directory has it', async () => {
    const tenant = 'grouped';
    const uc = app.useCases;
    (await uc.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap();
    (await uc.updateSettings(as('admin', tenant), { currentYear: FROM }))._unsafeUnwrap();
    const categoryId = (await uc.createCategory(as('admin', tenant), 'Minutes'))._unsafeUnwrap().id;
    const checked = (await uc.depositDocument.check(as('admin', tenant), { recipients: { users: [], classes: [], groups: ['teachers'] }, categoryId, title: 'For the teachers' }, undefined))._unsafeUnwrap();
    const source = (await uc.depositDocument.store(checked, textFile('For the teachers')))._unsafeUnwrap().document.id;
    // Paul leaves; Zoé arrives as a teacher (the group, followed, already left him and reached her in year N).
    const users = [...schoolDirectory.users.filter((u) => u.id !== 'paul'), { id: 'zoe', displayName: 'Zoé Morel', kind: 'teacher' as const, profiles: [] }];
    (await uc.syncDirectory(as('s', tenant, ['directory:write']), { ...schoolDirectory, users, classes: [] } as never))._unsafeUnwrap();
    const dry = (await run(tenant, { dryRun: true }))._unsafeUnwrap();
    expect(dry).toMatchObject({ carried: 1, droppedRecipients: [] });
    expect((await run(tenant, { dryRun: false }))._unsafeUnwrap()).toMatchObject({ carried: 1, droppedRecipients: [] });
    expect((await uc.myLocker(as('zoe', tenant), { year: TO }, { limit: 5 }))._unsafeUnwrap().items.map((d) => d.id)).toEqual([app.deps.ids.derive('rollover', tenant, source, TO)]);
    for (const teacher of ['anne', 'marc', 'zoe']) expect(await titles(teacher, tenant, TO)).toEqual(['For the teachers']);
    expect(await titles('sophie', tenant, TO)).toEqual([]);
  });

  it('a rerun after changes in year N brings the carried documents up to date, deletion included', async () => {
    const { docs } = years.rerun!;
    (await run('rerun', { dryRun: false }))._unsafeUnwrap();
    (await app.useCases.changeDocument(as('anne', 'rerun'), docs.whole, { memo: 'changed after the first run' }))._unsafeUnwrap();
    expect((await run('rerun', { dryRun: true }))._unsafeUnwrap()).toMatchObject({ carried: 2, alreadyCarried: 2, updated: 1 });
    expect((await run('rerun', { dryRun: false }))._unsafeUnwrap()).toMatchObject({ carried: 2, alreadyCarried: 2, updated: 1 });
    const whole = (await app.useCases.myLocker(as('marc', 'rerun'), { year: TO }, { limit: 50 }))._unsafeUnwrap().items.find((d) => d.title === 'Whole')!;
    expect(whole.memo).toBe('changed after the first run');

    (await app.useCases.deleteForAll(as('anne', 'rerun'), docs.carried))._unsafeUnwrap();
    expect((await run('rerun', { dryRun: false }))._unsafeUnwrap()).toMatchObject({ carried: 1, alreadyCarried: 1, updated: 1, skipped: { deleted: 2 } });
    expect(await titles('marc', 'rerun', TO)).toEqual(['Whole']);
  });
});
