import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
});
afterAll(async () => h.stop());

/** Sends raw bytes and returns the raw answer: for requests fetch refuses to send. */
const raw = (request: string) =>
  new Promise<string>((resolve, reject) => {
    const { port } = new URL(h.url);
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });

const isProblem = (res: { status: number; headers: Headers; json: any }, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.json).toMatchObject({ status, type: expect.stringMatching(/^urn:digital-locker:problem:[a-z-]+$/) });
  expect(res.json.type).not.toMatch(/fst/);
};

describe('every refusal is problem+json, and a client’s mistake is never a 5xx', () => {
  it('an audit cursor beyond any position is a 400, not a 503', async () => {
    for (const after of ['9223372036854775808', '99999999999999999999999999999999999999']) {
      const res = await h.request('GET', `/v1/audit/events?after=${after}`, { as: 'auditor' });
      isProblem(res, 400);
    }
    expect((await h.request('GET', '/ready')).status).toBe(200);
  });

  it('malformed percent-encoding in the path', async () => {
    isProblem(await h.request('GET', '/v1/documents/%E0%A4%A', { as: 'anne' }), 400);
  });

  it('an id longer than any id', async () => {
    isProblem(await h.request('GET', `/v1/documents/${'x'.repeat(300)}`, { as: 'anne' }), 414);
    isProblem(await h.request('GET', `/v1/documents/${'x'.repeat(129)}`, { as: 'anne' }), 400);
  });

  it('malformed JSON, a wrong content type, an unknown route', async () => {
    const bad = await h.request('POST', '/v1/categories', { as: 'admin', body: '{"designation":', headers: { 'content-type': 'application/json' } });
    isProblem(bad, 400);
    expect(bad.json.code).toBe('BAD_REQUEST');
    isProblem(await h.request('POST', '/v1/categories', { as: 'admin', body: 'designation=x', headers: { 'content-type': 'text/csv' } }), 415);
    isProblem(await h.request('GET', '/v1/nothing-here', { as: 'anne' }), 404);
  });

  it('a request Node cannot parse gets a problem document before the connection closes', async () => {
    const answer = await raw('GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/application\/problem\+json/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });
});
