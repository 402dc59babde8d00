import { verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errAsync } from 'neverthrow';
import { checkpointText } from '../../src/application/notary.js';
import { rolloverJobs } from '../../src/application/use-cases/rollover-jobs.js';
import { as, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

describe('the notary and rollover jobs at the application layer', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await embeddedApp({ tenants: ['school', 'other'] });
  });
  afterAll(() => app.stop());

  it('links every event once and signs each tenant’s head that moved, with a signature the published key checks', async () => {
    const uc = app.useCases;
    const total = (await app.deps.events.readAll({ limit: 100_000 }))._unsafeUnwrap().length;
    const first = (await uc.notarize())._unsafeUnwrap();
    expect(first.linked).toBe(total);
    expect(first.signed.map((c) => c.tenant).sort()).toEqual(['other', 'school']);
    // Nothing new: nothing linked, nothing signed.
    expect((await uc.notarize())._unsafeUnwrap()).toEqual({ linked: 0, signed: [] });
    // One tenant moves: only its head is signed again.
    (await uc.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap();
    const second = (await uc.notarize())._unsafeUnwrap();
    expect(second.linked).toBe(1);
    expect(second.signed.map((c) => c.tenant)).toEqual(['school']);
    const view = (await uc.auditCheckpoints(as('auditor'), 10))._unsafeUnwrap();
    expect(view.checkpoints[0]).toEqual(second.signed[0]);
    expect(view.checkpoints).toHaveLength(2);
    for (const c of view.checkpoints) expect(verify(null, Buffer.from(checkpointText(c)), view.publicKey, Buffer.from(c.signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(checkpointText({ ...second.signed[0]!, seq: second.signed[0]!.seq + 1 })), view.publicKey, Buffer.from(second.signed[0]!.signature, 'base64'))).toBe(false);
    expect(view.checkpoints[0]!.seq).toBeGreaterThan(view.checkpoints[1]!.seq);
    expect((await uc.auditCheckpoints(as('anne'), 10))._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a rollover job is refused at once for a non-admin or wrong years, runs in the background, and is seen by its tenant’s admins only', async () => {
    const jobs = app.useCases.rollovers;
    expect(jobs.start(as('anne'), { from: '2026-2027', to: '2027-2028', dryRun: true })._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
    expect(jobs.start(as('admin'), { from: '2026-2027', to: '2025-2026', dryRun: true }).isErr()).toBe(true);
    const job = jobs.start(as('admin'), { from: '2026-2027', to: '2027-2028', dryRun: true })._unsafeUnwrap();
    expect(job).toMatchObject({ tenant: 'school', status: 'running', report: null, error: null });
    expect(jobs.running().map((r) => r.tenant)).toContain('school');
    for (let i = 0; i < 200 && jobs.get(as('admin'), job.id)._unsafeUnwrap().status === 'running'; i++) await new Promise((r) => setTimeout(r, 10));
    const done = jobs.get(as('admin'), job.id)._unsafeUnwrap();
    expect(done.status).toBe('done');
    expect(done.report).not.toBeNull();
    // Its progress is the job's to show, to the end.
    expect(done.progress).toMatchObject({ phase: 'done', documentsExamined: done.report!.documentsExamined });
    expect(jobs.running()).toEqual([]);
    expect(jobs.get(as('admin', 'other'), job.id)._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'rollover' });
    expect(jobs.get(as('admin'), 'no-such-job')._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'rollover' });
    expect(jobs.get(as('anne'), job.id)._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('a rollover job whose log fails (issue 37)', () => {
  it('ends failed, with the store’s error, and stops running', async () => {
    const app = await embeddedApp({ tenants: ['school'] });
    try {
      const failing = { ...app.deps.impersonalEvents, readAll: () => errAsync({ code: 'STORE_UNAVAILABLE' as const, message: 'the log is down' }) };
      const jobs = rolloverJobs({ ...app.deps, impersonalEvents: failing });
      const job = jobs.start(as('admin'), { from: '2026-2027', to: '2027-2028', dryRun: true })._unsafeUnwrap();
      for (let i = 0; i < 200 && jobs.get(as('admin'), job.id)._unsafeUnwrap().status === 'running'; i++) await new Promise((r) => setTimeout(r, 10));
      expect(jobs.get(as('admin'), job.id)._unsafeUnwrap()).toMatchObject({ status: 'failed', report: null, error: { code: 'STORE_UNAVAILABLE', message: 'the log is down' } });
      expect(jobs.running()).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});

describe('the notary over a long log (issue 37)', () => {
  it('holds at most 2,000 events at a time, and links them all in the log’s order', async () => {
    const app = await embeddedApp({ tenants: ['school'] });
    try {
      (await app.useCases.notarize())._unsafeUnwrap();
      // Events of no aggregate, appended 500 at a time: the notary links whatever the log holds.
      for (let part = 0; part < 9; part += 1) {
        const events = Array.from({ length: 500 }, (_, i) => ({ id: `n-${part}-${i}`, type: 'NotaryLoadNoted', data: { i }, meta: { actor: 'test', at: '2026-12-01T10:00:00.000Z', tenant: 'school', schemaVersion: 1 } }));
        (await app.deps.events.append(`notary-load-school-${part}`, events, 'no-stream'))._unsafeUnwrap();
      }
      const extend = vi.spyOn(app.deps.notary, 'extend');
      const run = (await app.useCases.notarize())._unsafeUnwrap();
      expect(run.linked).toBe(4500);
      expect(extend.mock.calls.map(([batch]) => batch.length)).toEqual([2000, 2000, 500]);
      expect(extend.mock.calls.flatMap(([batch]) => batch.map((e) => e.id))).toEqual(Array.from({ length: 9 }, (_, p) => Array.from({ length: 500 }, (_, i) => `n-${p}-${i}`)).flat());
    } finally {
      await app.stop();
    }
  });
});
