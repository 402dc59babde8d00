import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

const BOUNDARY = 'meta-part-boundary';
/** A deposit's body written by hand, its meta part with the headers given. */
const raw = (metaHeaders: string, meta: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="meta"${metaHeaders}\r\n\r\n${meta}\r\n` +
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="minutes.txt"\r\nContent-Type: text/plain\r\n\r\nthe minutes\r\n--${BOUNDARY}--\r\n`;

/** The meta part as every client sends it (issue 32): text, typed application/json, or a Blob. */
describe('the meta part, however a client sends it', () => {
  const meta = () => JSON.stringify({ recipients: { users: ['marc'] }, categoryId: category, title: 'Typed meta' });
  const post = async (body: string | FormData, contentType?: string) => {
    const res = await fetch(`${h.url}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await h.token('anne')}`, ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it.each([
    ['as text', ''],
    ['typed application/json (Swagger UI, generators, curl -F "meta=…;type=application/json")', '\r\nContent-Type: application/json'],
    ['typed application/json; charset=utf-8', '\r\nContent-Type: application/json; charset=utf-8'],
  ])('%s', async (_, headers) => {
    const r = await post(raw(headers, meta()), `multipart/form-data; boundary=${BOUNDARY}`);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json).toMatchObject({ title: 'Typed meta', recipients: ['marc'] });
  });

  it('as a Blob part (FormData with a Blob, as a browser or openapi-fetch sends it)', async () => {
    const f = new FormData();
    f.append('meta', new Blob([meta()], { type: 'application/json' }));
    f.append('file', new Blob(['the minutes'], { type: 'text/plain' }), 'minutes.txt');
    const r = await post(f);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json).toMatchObject({ title: 'Typed meta' });
  });

  it('typed application/json but not JSON, or not the meta’s shape: a 400 that says so, and nothing kept', async () => {
    const before = await h.footprint();
    const broken = await post(raw('\r\nContent-Type: application/json', '{"recipients":'), `multipart/form-data; boundary=${BOUNDARY}`);
    expect(broken.status).toBe(400);
    const wrong = await post(raw('\r\nContent-Type: application/json', '{"recipients":"marc"}'), `multipart/form-data; boundary=${BOUNDARY}`);
    expect([wrong.status, wrong.json.code]).toEqual([400, 'INVALID_INPUT']);
    expect(String(wrong.json.detail)).toMatch(/^meta: /);
    expect(await h.footprint()).toEqual(before);
  });
});
