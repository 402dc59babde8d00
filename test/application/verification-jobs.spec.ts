import { err, ok } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChainVerifier } from '../../src/application/ports/chain-verifier.js';
import { verificationJobs } from '../../src/application/use-cases/verification-jobs.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

// An auditor's verification of the audit chain, run in the background with its progress (the
// console's "verify now", POST /v1/audit/verifications), at the application layer.

describe('verifications of the audit chain', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await embeddedApp({ tenants: ['school', 'other'] });
    const category = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    await deposited(app, 'anne', { users: ['marc'], classes: [] }, category);
    (await app.useCases.notarize())._unsafeUnwrap();
  });
  afterAll(() => app.stop());

  const settled = async (jobs: ReturnType<typeof verificationJobs>, id: string, tenant = 'school') => {
    for (let i = 0; i < 200; i++) {
      const job = jobs.get(as('auditor', tenant), id)._unsafeUnwrap();
      if (job.status !== 'running') return job;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('never settled');
  };

  it('checks every event of the school against the notary and its last checkpoint, and says how far it got', async () => {
    const jobs = app.useCases.verifications;
    const started = jobs.start(as('auditor'))._unsafeUnwrap();
    const chained = app.deps.notary.heads().find((h) => h.tenant === 'school')!.seq;
    expect(started).toMatchObject({ tenant: 'school', status: 'running', progress: { total: chained }, verdict: null, error: null });
    const done = await settled(jobs, started.id);
    expect(done).toMatchObject({ status: 'done', error: null, progress: { eventsChecked: chained, total: chained } });
    expect(done.verdict).toEqual({ eventsChecked: chained, broken: null, checkpoints: [expect.objectContaining({ verified: true })] });
  });

  it('is an auditor’s, of their own school: others are refused, another school’s job is not found', async () => {
    const jobs = app.useCases.verifications;
    expect(jobs.start(as('anne'))._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
    const started = jobs.start(as('auditor'))._unsafeUnwrap();
    expect(jobs.get(as('anne'), started.id)._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
    expect(jobs.get(as('auditor', 'other'), started.id)._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'verification' });
    expect(jobs.get(as('auditor'), 'no-such-job')._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'verification' });
    await settled(jobs, started.id);
  });

  it('while it runs, the total is what the notary chained of the school, and the count what the verifier reports', async () => {
    let release: () => void = () => undefined;
    let report: (n: number) => void = () => undefined;
    const held: ChainVerifier = {
      verify: (_tenant, onProgress) =>
        new Promise((resolve) => {
          report = onProgress;
          release = () => resolve(ok({ eventsChecked: 3, broken: null, checkpoints: [] }));
        }),
    };
    const jobs = verificationJobs(app.deps, held);
    const chained = app.deps.notary.heads().find((h) => h.tenant === 'school')!.seq;
    expect(chained).not.toBe(app.deps.notary.heads().find((h) => h.tenant === 'other')?.seq);
    const started = jobs.start(as('auditor'))._unsafeUnwrap();
    expect(jobs.get(as('auditor'), started.id)._unsafeUnwrap().progress).toEqual({ eventsChecked: 0, total: chained });
    report(3);
    expect(jobs.get(as('auditor'), started.id)._unsafeUnwrap().progress).toEqual({ eventsChecked: 3, total: chained });
    release();
    expect((await settled(jobs, started.id)).status).toBe('done');
  });

  it('a school the notary has not chained yet counts what it checks; a store that fails makes the job fail with its error', async () => {
    // Progress as the verifier reports it, beyond the notary's count.
    const counting: ChainVerifier = {
      verify: async (_tenant, onProgress) => {
        onProgress(5000);
        return ok({ eventsChecked: 7000, broken: null, checkpoints: [] });
      },
    };
    const jobs = verificationJobs(app.deps, counting);
    const started = jobs.start(as('auditor', 'other'))._unsafeUnwrap();
    const done = await settled(jobs, started.id, 'other');
    expect(done.progress).toEqual({ eventsChecked: 7000, total: 7000 });
    const failing: ChainVerifier = { verify: async () => err({ code: 'STORE_UNAVAILABLE', message: 'log down' }) };
    const broken = verificationJobs(app.deps, failing);
    const failed = await settled(broken, broken.start(as('auditor'))._unsafeUnwrap().id);
    expect(failed).toMatchObject({ status: 'failed', verdict: null, error: { code: 'STORE_UNAVAILABLE', message: 'log down' } });
  });
});
