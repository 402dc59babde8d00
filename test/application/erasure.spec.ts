import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { ERASED } from '../../src/adapters/shared/shredding-event-store.js';
import { verifyChains } from '../../src/adapters/shared/verify-chains.js';
import type { Directory } from '../../src/domain/index.js';
import { compose, TOKENS } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

const DAY = 24 * 3600_000;

/** Every byte of every file under the data folder (events, read models, keys, WAL files, blobs). */
const everyFile = (root: string): string => {
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else all.push(readFileSync(path).toString('latin1'));
    }
  };
  walk(root);
  return all.join('\n');
};
const school: Directory = { ...schoolDirectory, users: schoolDirectory.users.map((u) => (u.id === 'sophie' ? { ...u, email: 'sophie.leroy@school.test' } : u)) };
const without = (ids: string[]): Directory => ({
  ...schoolDirectory,
  users: school.users.filter((u) => !ids.includes(u.id)),
  classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => !ids.includes(t)) })),
});

describe('data protection: crypto-shredding, erasure of a person, expiry', () => {
  it('names, titles and memos are sealed in the log; erasing a person or expiring a document makes them unreadable, and verify still passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-erasure-'));
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_SECRETS_KEY: randomBytes(32).toString('base64') }), (c) => c.register(TOKENS.Clock, { useValue: clock }));
    // As the server runs: checkpoints in a worker thread (ADR 29), which an erasure's truncating
    // checkpoint must wait for rather than skip.
    app.checkpointInBackground();
    const uc = app.useCases;
    const sync = (d: Directory) => uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, d);
    const admin = { tenant: 'school', userId: 'admin', scopes: [] };
    try {
      (await sync(school))._unsafeUnwrap();
      const category = (await uc.createCategory(admin, 'Absences'))._unsafeUnwrap().id;
      (await uc.setCategoryRetention(admin, category, 30))._unsafeUnwrap();
      const checked = (await uc.depositDocument.check({ ...admin, userId: 'anne' }, { recipients: { users: ['sophie'], classes: [] }, categoryId: category, title: 'Confidential slip', memo: 'Private memo' }, undefined))._unsafeUnwrap();
      const doc = (await uc.depositDocument.store(checked, { fileName: 'slip.pdf', mediaType: 'application/pdf', content: (async function* () { yield new TextEncoder().encode('x'); })(), truncated: () => false }))._unsafeUnwrap().document;
      expect(doc.title).toBe('Confidential slip');

      // Stored sealed: no name, title or memo in clear in the event store's file.
      const file = () => readFileSync(join(dir, 'events.sqlite')).toString('latin1') + readFileSync(join(dir, 'events.sqlite-wal'), { flag: 'r' }).toString('latin1');
      for (const secret of ['Sophie Leroy', 'Confidential slip', 'Private memo', 'slip.pdf']) expect(file()).not.toContain(secret);

      // Sophie is still in the directory: 409. Once she left, her data goes.
      expect((await uc.erasures.erase(admin, 'sophie'))._unsafeUnwrapErr().code).toBe('PERSON_IN_DIRECTORY');
      (await sync(without(['sophie'])))._unsafeUnwrap();
      expect((await uc.erasures.erase(admin, 'sophie'))._unsafeUnwrap()).toMatchObject({ userId: 'sophie', actorId: 'admin', reason: 'request' });
      expect((await uc.erasures.list(admin, { limit: 100 }))._unsafeUnwrap().items.map((e) => e.userId)).toEqual(['sophie']);
      const directories = (await app.deps.events.readAll({ limit: 10_000, types: ['DirectorySynced'] }))._unsafeUnwrap();
      const sophieThen = (directories[0]!.data as Directory).users.find((u) => u.id === 'sophie')!;
      expect(sophieThen.displayName).toBe(ERASED);
      expect((directories[0]!.data as Directory).users.find((u) => u.id === 'anne')!.displayName).toBe('Anne Martin');
      expect(app.deps.readModels.notifications('school', 'sophie', { limit: 10 }).items).toEqual([]);
      // A byte search of the whole data folder, and of an export, finds neither her name nor her e-mail.
      const exported = JSON.stringify((await uc.auditEvents({ ...admin, userId: 'auditor' }, undefined, 10_000))._unsafeUnwrap(), (_, v) => (typeof v === 'bigint' ? String(v) : v));
      for (const trace of ['Sophie Leroy', 'sophie.leroy@school.test']) {
        expect(everyFile(dir), trace).not.toContain(trace);
        expect(exported, trace).not.toContain(trace);
      }
      expect(exported).toContain('Anne Martin');

      // Paul leaves; after the school's delay he is erased without anyone asking.
      (await uc.updateSettings(admin, { erasePeopleAfterDays: 30 }))._unsafeUnwrap();
      (await sync(without(['sophie', 'paul'])))._unsafeUnwrap();
      clock.at += 29 * DAY;
      expect((await uc.erasures.eraseDeparted())._unsafeUnwrap().erased).toBe(0);
      clock.at += 2 * DAY;
      expect((await uc.erasures.eraseDeparted())._unsafeUnwrap().erased).toBe(1);
      expect((await uc.erasures.list(admin, { limit: 100 }))._unsafeUnwrap().items.find((e) => e.userId === 'paul')).toMatchObject({ reason: 'departed', actorId: 'system:erasure' });

      // The document expires: its title and memo are gone from the log's readings too.
      expect((await uc.applyRetention())._unsafeUnwrap().expired).toBe(1);
      const [deposited] = (await app.deps.events.readAll({ limit: 10_000, types: ['DocumentDeposited'] }))._unsafeUnwrap();
      expect(deposited!.data).toMatchObject({ title: ERASED, memo: ERASED, content: { fileName: ERASED } });
      const afterExpiry = JSON.stringify((await uc.auditEvents({ ...admin, userId: 'auditor' }, undefined, 10_000))._unsafeUnwrap(), (_, v) => (typeof v === 'bigint' ? String(v) : v));
      for (const trace of ['Confidential slip', 'Private memo', 'slip.pdf']) {
        expect(everyFile(dir), trace).not.toContain(trace);
        expect(afterExpiry, trace).not.toContain(trace);
      }

      // The audit skeleton holds: every chain still verifies.
      const report = (await verifyChains(app.deps.events, { notary: app.deps.notary }))._unsafeUnwrap();
      expect(report.broken).toBeNull();
      expect(report.eventsChecked).toBeGreaterThan(10);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a property of erasure', () => {
  type Step = { kind: 'deposit'; to: 'marc' | 'sophie' } | { kind: 'erase'; who: 'marc' | 'sophie' } | { kind: 'age'; days: number };
  const step = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('deposit' as const), to: fc.constantFrom('marc' as const, 'sophie' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), who: fc.constantFrom('marc' as const, 'sophie' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('age' as const), days: fc.integer({ min: 1, max: 20 }) }) },
  );
  test.prop([fc.array(step, { minLength: 1, maxLength: 12 })], { numRuns: 15 })('no view returns the plaintext of an erased person or an expired document', async (steps) => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-erasure-prop-'));
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }), (c) => c.register(TOKENS.Clock, { useValue: clock }));
    const uc = app.useCases;
    const as = (userId: string) => ({ tenant: 'school', userId, scopes: [] });
    const names: Record<string, string> = { marc: 'Marc Petit', sophie: 'Sophie Leroy' };
    const gone = new Set<string>();
    const erased: string[] = [];
    const docs: { id: string; title: string; at: number }[] = [];
    try {
      (await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, school))._unsafeUnwrap();
      const category = (await uc.createCategory(as('admin'), 'Short'))._unsafeUnwrap().id;
      (await uc.setCategoryRetention(as('admin'), category, 15))._unsafeUnwrap();
      let n = 0;
      for (const s of steps) {
        if (s.kind === 'deposit' && !gone.has(s.to)) {
          const title = `Title-${n++}-${randomBytes(4).toString('hex')}`;
          const checked = (await uc.depositDocument.check(as('anne'), { recipients: { users: [s.to], classes: [] }, categoryId: category, title }, undefined))._unsafeUnwrap();
          const doc = (await uc.depositDocument.store(checked, { fileName: 'f.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode('x'); })(), truncated: () => false }))._unsafeUnwrap().document;
          docs.push({ id: doc.id, title, at: clock.at });
        } else if (s.kind === 'erase' && !gone.has(s.who)) {
          gone.add(s.who);
          (await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, without([...gone])))._unsafeUnwrap();
          (await uc.erasures.erase(as('admin'), s.who))._unsafeUnwrap();
          erased.push(names[s.who]!);
        } else if (s.kind === 'age') {
          clock.at += s.days * DAY;
          (await uc.applyRetention())._unsafeUnwrap();
        }
        const expired = docs.filter((d) => clock.at - d.at >= 15 * DAY).map((d) => d.title);
        const views = [
          await uc.auditEvents(as('auditor'), undefined, 10_000),
          await uc.myDistribution(as('anne'), undefined, { limit: 100 }),
          await uc.myLocker(as('marc'), {}, { limit: 100 }),
          await uc.myLocker(as('sophie'), {}, { limit: 100 }),
          await uc.myNotifications(as('marc'), { limit: 100 }),
          ...(await Promise.all(docs.map((d) => uc.documentHistory(as('auditor'), d.id, undefined)))),
        ].map((r) => JSON.stringify(r.isOk() ? r.value : null, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
        for (const secret of [...erased, ...expired]) for (const view of views) expect(view, `${secret} after ${JSON.stringify(s)}`).not.toContain(secret);
      }
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
