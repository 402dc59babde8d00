import { verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointText } from '../../src/application/notary.js';
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
    expect(jobs.running()).toEqual([]);
    expect(jobs.get(as('admin', 'other'), job.id)._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'rollover' });
    expect(jobs.get(as('admin'), 'no-such-job')._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'rollover' });
    expect(jobs.get(as('anne'), job.id)._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
  });
});
