import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { documentDecider } from '../../src/domain/index.js';
import { compose, TOKENS } from '../../src/composition/compose.js';
import { applyRetention } from '../../src/application/use-cases/retention.js';
import { schoolDirectory } from '../support/fixtures.js';
import { AT, deposited, given } from '../domain/given.js';

const DAY = 24 * 3600_000;

describe('retention by category', () => {
  it('the decider: a document expires once its days have passed since the deposit, once', () => {
    const expire = (at: string) => ({ type: 'Expire' as const, actorId: 'system:retention', at, documentId: 'doc-1', retentionDays: 30 });
    given(documentDecider, [deposited()]).when(expire(new Date(Date.parse(AT) + 30 * DAY - 1000).toISOString())).then([]);
    const gone = given(documentDecider, [deposited()])
      .when(expire(new Date(Date.parse(AT) + 30 * DAY).toISOString()))
      .then([{ type: 'DocumentExpired', data: { documentId: 'doc-1', retentionDays: 30 }, actor: 'system:retention', at: new Date(Date.parse(AT) + 30 * DAY).toISOString() }]);
    expect(gone.status).toBe('deleted');
    expect(documentDecider.decide(gone, expire(new Date(Date.parse(AT) + 40 * DAY).toISOString()))._unsafeUnwrap()).toEqual([]);
  });

  it('expired documents vanish from every view and their bytes go at the next sweep; a dry run writes nothing; other categories stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-retention-'));
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }), (c) => c.register(TOKENS.Clock, { useValue: clock }));
    const uc = app.useCases;
    const admin = { tenant: 'school', userId: 'admin', scopes: [] };
    const anne = { ...admin, userId: 'anne' };
    const marc = { ...admin, userId: 'marc' };
    try {
      (await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const shortLived = (await uc.createCategory(admin, 'Absences'))._unsafeUnwrap().id;
      const kept = (await uc.createCategory(admin, 'Minutes'))._unsafeUnwrap().id;
      expect((await uc.setCategoryRetention(admin, shortLived, 30))._unsafeUnwrap().retentionDays).toBe(30);
      const deposit = async (categoryId: string, text: string) => {
        const checked = (await uc.depositDocument.check(anne, { recipients: { users: ['marc'], classes: [] }, categoryId }, undefined))._unsafeUnwrap();
        return (await uc.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode(text); })(), truncated: () => false }))._unsafeUnwrap().document;
      };
      const old = await deposit(shortLived, 'absence slip');
      const minutes = await deposit(kept, 'minutes');
      clock.at += 29 * DAY;
      expect((await uc.applyRetention())._unsafeUnwrap().expired).toBe(0);
      clock.at += DAY;
      const before = (await app.deps.events.readAll({ limit: 100_000 }))._unsafeUnwrap().length;
      expect((await uc.applyRetention({ dryRun: true }))._unsafeUnwrap()).toEqual({ dryRun: true, expired: 1, byTenant: { school: 1 } });
      expect((await app.deps.events.readAll({ limit: 100_000 }))._unsafeUnwrap().length).toBe(before);
      expect((await uc.applyRetention())._unsafeUnwrap()).toEqual({ dryRun: false, expired: 1, byTenant: { school: 1 } });
      expect((await uc.getDocument(marc, old.id)).isErr()).toBe(true);
      expect((await uc.myLocker(marc, {}, { limit: 100 }))._unsafeUnwrap().items.map((i) => i.id)).toEqual([minutes.id]);
      expect((await uc.myDistribution(anne, undefined, { limit: 100 }))._unsafeUnwrap().items.map((i) => i.id)).toEqual([minutes.id]);
      const swept = (await uc.sweepBlobs(0))._unsafeUnwrap();
      expect(swept.deleted.length).toBe(1);
      expect((await uc.applyRetention())._unsafeUnwrap().expired).toBe(0);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on the boundary day the dry run, the real run and the decider agree, school by school (issue 37)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-retention-'));
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }), (c) => c.register(TOKENS.Clock, { useValue: clock }));
    const uc = app.useCases;
    try {
      const categories = new Map<string, string>();
      for (const [tenant, days] of [['north', 30], ['south', 30], ['west', 31]] as const) {
        (await uc.syncDirectory({ tenant, userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
        const admin = { tenant, userId: 'admin', scopes: [] };
        const id = (await uc.createCategory(admin, 'Absences'))._unsafeUnwrap().id;
        (await uc.setCategoryRetention(admin, id, days))._unsafeUnwrap();
        categories.set(tenant, id);
        const anne = { tenant, userId: 'anne', scopes: [] };
        const checked = (await uc.depositDocument.check(anne, { recipients: { users: ['marc'], classes: [] }, categoryId: id }, undefined))._unsafeUnwrap();
        (await uc.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode(tenant); })(), truncated: () => false }))._unsafeUnwrap();
      }
      const deposited = clock.at;
      // A second before the 30th day is over: nobody's document is due, by either run.
      clock.at = deposited + 30 * DAY - 1000;
      expect((await uc.applyRetention({ dryRun: true }))._unsafeUnwrap()).toEqual({ dryRun: true, expired: 0, byTenant: {} });
      expect((await uc.applyRetention())._unsafeUnwrap()).toMatchObject({ expired: 0 });
      // To the millisecond: north and south are due (30 days), west not (31); asked for one school, only its own.
      clock.at = deposited + 30 * DAY;
      expect((await uc.applyRetention({ dryRun: true }))._unsafeUnwrap()).toEqual({ dryRun: true, expired: 2, byTenant: { north: 1, south: 1 } });
      expect((await uc.applyRetention({ dryRun: true, tenant: 'south' }))._unsafeUnwrap()).toEqual({ dryRun: true, expired: 1, byTenant: { south: 1 } });
      expect((await uc.applyRetention({ tenant: 'north' }))._unsafeUnwrap()).toEqual({ dryRun: false, expired: 1, byTenant: { north: 1 } });
      expect((await uc.applyRetention({ dryRun: true }))._unsafeUnwrap()).toEqual({ dryRun: true, expired: 1, byTenant: { south: 1 } });
      clock.at = deposited + 31 * DAY;
      expect((await uc.applyRetention())._unsafeUnwrap()).toEqual({ dryRun: false, expired: 2, byTenant: { south: 1, west: 1 } });
      expect((await uc.applyRetention({ dryRun: true }))._unsafeUnwrap()).toEqual({ dryRun: true, expired: 0, byTenant: {} });
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('copies of the read models taken before an expiry go with it; a run that expires nothing keeps them and rewrites nothing (issue 37)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-retention-'));
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const app = await compose(
      loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_SNAPSHOT_EVERY_MINUTES: '60', LOCKER_NODE_ID: 'node-1' }),
      (c) => c.register(TOKENS.Clock, { useValue: clock }),
    );
    const uc = app.useCases;
    const admin = { tenant: 'school', userId: 'admin', scopes: [] };
    try {
      (await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const id = (await uc.createCategory(admin, 'Absences'))._unsafeUnwrap().id;
      (await uc.setCategoryRetention(admin, id, 30))._unsafeUnwrap();
      const checked = (await uc.depositDocument.check({ ...admin, userId: 'anne' }, { recipients: { users: ['marc'], classes: [] }, categoryId: id, title: 'absence slip' }, undefined))._unsafeUnwrap();
      (await uc.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode('slip'); })(), truncated: () => false }))._unsafeUnwrap();
      const taken = (await uc.snapshots.take(app.nodeId))._unsafeUnwrap().taken!;
      const scrub = vi.spyOn(app.deps.readModels, 'scrub');
      clock.at += 29 * DAY;
      expect((await uc.applyRetention())._unsafeUnwrap().expired).toBe(0);
      expect((await app.deps.snapshots!.list())._unsafeUnwrap()).toEqual([taken]);
      expect(scrub).not.toHaveBeenCalled();
      clock.at += DAY;
      expect((await uc.applyRetention())._unsafeUnwrap().expired).toBe(1);
      // The copy held the expired title: no node may start from it.
      expect((await app.deps.snapshots!.list())._unsafeUnwrap()).toEqual([]);
      expect(scrub).toHaveBeenCalledTimes(1);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a key store that fails while the titles of an expired document are shredded: the run fails and says which store (issue 37)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-retention-'));
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }), (c) => c.register(TOKENS.Clock, { useValue: clock }));
    const uc = app.useCases;
    const admin = { tenant: 'school', userId: 'admin', scopes: [] };
    try {
      (await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const id = (await uc.createCategory(admin, 'Absences'))._unsafeUnwrap().id;
      (await uc.setCategoryRetention(admin, id, 1))._unsafeUnwrap();
      const checked = (await uc.depositDocument.check({ ...admin, userId: 'anne' }, { recipients: { users: ['marc'], classes: [] }, categoryId: id }, undefined))._unsafeUnwrap();
      (await uc.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode('slip'); })(), truncated: () => false }))._unsafeUnwrap();
      clock.at += DAY;
      const keys = { ...app.deps.keys, shred: () => Promise.reject(new Error('the vault is sealed')) };
      expect((await applyRetention({ ...app.deps, keys })())._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: 'the key store: the vault is sealed' });
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
