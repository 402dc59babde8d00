import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionedTenantLink, TENANT_GENESIS } from '../../src/adapters/shared/event-chain.js';
import { verifyChains } from '../../src/adapters/shared/verify-chains.js';
import { openSqliteNotaryLedger } from '../../src/adapters/sqlite/sqlite-notary-ledger.js';
import { checkpointText } from '../../src/application/notary.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

// ADR 53: a school's chain names no log position, so the same events appended in the same order
// on another cell chain to the same heads, and checkpoints signed on one cell hold on the other.

const schoolEvents = async (app: EmbeddedApp) => (await app.deps.impersonalEvents.readAll({ limit: 10_000, tenant: 'school' }))._unsafeUnwrap();

const withDeposits = async () => {
  const app = await embeddedApp();
  const categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  await deposited(app, 'anne', { users: ['marc'], classes: ['3a'] }, categoryId, 'Council');
  await deposited(app, 'paul', { users: ['anne'], classes: [] }, categoryId, 'Timetable');
  (await app.useCases.notarize())._unsafeUnwrap();
  return app;
};

describe('chains a school can carry to another cell', () => {
  it('the school’s events appended at other positions on another store chain to the heads signed on the first', async () => {
    const source = await withDeposits();
    // The target holds another school first: the school's events land at other positions.
    const target = await embeddedApp({ tenants: ['other'] });
    try {
      const events = await schoolEvents(source);
      for (const e of events) {
        (await target.deps.impersonalEvents.append(e.stream, [{ id: e.id, type: e.type, data: e.data, meta: e.meta }], e.revision === 0 ? 'no-stream' : { revision: e.revision - 1 }))._unsafeUnwrap();
      }
      const moved = await schoolEvents(target);
      expect(moved.map((e) => e.hash)).toEqual(events.map((e) => e.hash));
      expect(moved.map((e) => e.position)).not.toEqual(events.map((e) => e.position));
      const checkpoint = source.deps.notary.lastCheckpoint('school')!;
      const trusted = [{ checkpoint, publicKeyPem: source.deps.signer.publicKeyPem }];
      (await target.useCases.notarize())._unsafeUnwrap();
      const report = (await verifyChains(target.deps.events, { tenant: 'school', notary: target.deps.notary, checkpoints: trusted }))._unsafeUnwrap();
      expect(report.broken).toBeNull();
      expect(report.checkpoints).toEqual([expect.objectContaining({ tenant: 'school', seq: checkpoint.seq, verified: true })]);
      expect(target.deps.notary.heads().find((h) => h.tenant === 'school')!.link).toBe(checkpoint.head);
      // One event left out on the way: the signed head no longer holds.
      const short = await embeddedApp({ tenants: [] });
      try {
        for (const e of events.filter((x) => x !== events[3])) {
          await short.deps.impersonalEvents.append(e.stream, [{ id: e.id, type: e.type, data: e.data, meta: e.meta }], 'any');
        }
        const cut = (await verifyChains(short.deps.events, { tenant: 'school', checkpoints: trusted }))._unsafeUnwrap();
        expect(cut.broken).not.toBeNull();
      } finally {
        await short.stop();
      }
    } finally {
      await source.stop();
      await target.stop();
    }
  });

  it('a ledger chained with positions is migrated when opened, and checkpoints signed then still hold on their cell', async () => {
    const app = await withDeposits();
    try {
      const file = join(app.dir, 'notary.sqlite');
      const events = await schoolEvents(app);
      app.deps.notary.close();
      // The ledger as a version before ADR 53 left it: links with positions, an old-format version.
      const db = new Database(file);
      let link = TENANT_GENESIS;
      const rows = db.prepare<[], { seq: number; position: string; stream: string; revision: number; event_hash: string }>("SELECT seq, position, stream, revision, event_hash FROM links WHERE tenant = 'school' ORDER BY seq").all();
      for (const r of rows) {
        link = positionedTenantLink(link, 'school', r.position, r.stream, r.revision, r.event_hash);
        db.prepare("UPDATE links SET link = ? WHERE tenant = 'school' AND seq = ?").run(link, r.seq);
      }
      db.prepare("UPDATE heads SET link = ? WHERE tenant = 'school'").run(link);
      db.pragma('user_version = 0');
      db.close();
      const seq = rows.length;
      const fields = { tenant: 'school', seq, position: String(events.at(-1)!.position), head: link, at: '2026-12-01T00:00:00.000Z' };
      const old = { ...fields, keyId: app.deps.signer.keyId, signature: app.deps.signer.sign(checkpointText(fields)) };

      const ledger = openSqliteNotaryLedger(file);
      try {
        const report = (await verifyChains(app.deps.events, { tenant: 'school', notary: ledger, checkpoints: [{ checkpoint: old, publicKeyPem: app.deps.signer.publicKeyPem }] }))._unsafeUnwrap();
        expect(report.broken).toBeNull();
        expect(report.checkpoints).toEqual([expect.objectContaining({ seq, verified: true })]);
        expect(ledger.heads().find((h) => h.tenant === 'school')!.link).not.toBe(link);
      } finally {
        ledger.close();
      }
    } finally {
      await app.stop().catch(() => undefined);
    }
  });
});
