import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

// An auditor's verification of the school's audit chain, run on the server with its progress
// (the console's "verify now"): POST starts it, GET follows it to its verdict.

describe('POST /v1/audit/verifications', () => {
  let h: Harness;
  beforeAll(async () => {
    const school = await startSchool();
    h = school.h;
    for (let i = 0; i < 3; i++) expect((await h.deposit('anne', { recipients: { users: ['marc'], classes: [] }, categoryId: school.category })).status).toBe(201);
    // The notary chains and signs what is in the log (the server does it every minute).
    (await h.running.app.useCases.notarize())._unsafeUnwrap();
  });
  afterAll(() => h.stop());

  const follow = async (location: string, as = 'auditor') => {
    for (let i = 0; i < 100; i++) {
      const job = await h.request('GET', location, { as });
      if (job.json.status !== 'running') return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the verification never ended');
  };

  it('recomputes the chain and holds it to the latest signed checkpoint; the answer says how far it got', async () => {
    const started = await h.request('POST', '/v1/audit/verifications', { as: 'auditor' });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/audit/verifications/${started.json.id}`);
    expect(started.json.progress.total).toBeGreaterThan(0);
    const done = await follow(started.headers.get('location')!);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ status: 'done', error: null, verdict: { broken: null } });
    expect(done.json.verdict.eventsChecked).toBe(done.json.progress.total);
    expect(done.json.verdict.checkpoints).toEqual([expect.objectContaining({ verified: true })]);
  });

  it('is for auditors of the school: others are refused, and another school’s verification is not found', async () => {
    expect((await h.request('POST', '/v1/audit/verifications', { as: 'anne' })).status).toBe(403);
    const started = await h.request('POST', '/v1/audit/verifications', { as: 'auditor' });
    expect((await h.request('GET', `/v1/audit/verifications/${started.json.id}`, { as: 'anne' })).status).toBe(403);
    await h.importDirectory('other');
    expect((await h.request('GET', `/v1/audit/verifications/${started.json.id}`, { as: 'auditor', tenant: 'other' })).status).toBe(404);
    await follow(`/v1/audit/verifications/${started.json.id}`);
  });
});
