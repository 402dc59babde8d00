import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
});
afterAll(async () => h.stop());

describe('what operations people expect', () => {
  it('every answer carries a request id: the client’s own when it is sane, a fresh one otherwise', async () => {
    const given = await h.request('GET', '/health', { headers: { 'x-request-id': 'portal-42.abc' } });
    expect(given.headers.get('x-request-id')).toBe('portal-42.abc');
    const made = await h.request('GET', '/v1/locker', { headers: { 'x-request-id': `${'x'.repeat(200)} <script>` } });
    expect(made.status).toBe(401);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves Prometheus metrics: HTTP latency by route and status, appends, blob bytes, projector lag', async () => {
    const category = await h.createCategory('Metrics');
    expect((await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category }, { content: 'counted bytes' })).status).toBe(201);
    const res = await h.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/locker_http_request_duration_seconds_count\{method="POST",route="\/v1\/documents",status="201"\} [1-9]/);
    expect(res.text).toMatch(/locker_events_appended_total\{type="DocumentDeposited"\} [1-9]/);
    expect(res.text).toMatch(/locker_blob_bytes_stored_total [1-9]/);
    expect(res.text).toMatch(/locker_projector_lag_events 0/);
    expect(res.text).toMatch(/locker_outbox_mails\{status="failed"\} 0/);
    expect(res.text).toMatch(/locker_node_process_resident_memory_bytes/);
  });
});
