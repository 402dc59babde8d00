import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
let live: string;
let deleted: string;
let closed: string;

beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
  await h.importDirectory('other');
  category = await h.createCategory();
  const deposit = async () => (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category }, { content: 'minutes' })).json.id as string;
  try {
    await h.request('PATCH', '/v1/settings', { as: 'admin', json: { currentYear: '2025-2026' } });
    closed = await deposit();
  } finally {
    await h.request('PATCH', '/v1/settings', { as: 'admin', json: { currentYear: '2026-2027' } });
  }
  live = await deposit();
  deleted = await deposit();
  expect((await h.request('DELETE', `/v1/documents/${deleted}`, { as: 'anne' })).status).toBe(204);
});
afterAll(async () => h.stop());

/** Every route by which a depositor manages a document. */
const routes = (id: string) => [
  { method: 'PATCH', path: `/v1/documents/${id}`, json: { memo: 'changed' } },
  { method: 'POST', path: `/v1/documents/${id}/recipients`, json: { users: ['sophie'] } },
  { method: 'PUT', path: `/v1/documents/${id}/content`, form: true },
  { method: 'DELETE', path: `/v1/documents/${id}` },
];

const cases = () => [
  { who: 'a recipient', as: 'marc', tenant: 'school', id: live, status: 403, code: 'NOT_DEPOSITOR' },
  { who: 'a stranger', as: 'sophie', tenant: 'school', id: live, status: 404, code: 'NOT_FOUND' },
  { who: 'the depositor’s namesake in another tenant', as: 'anne', tenant: 'other', id: live, status: 404, code: 'NOT_FOUND' },
  { who: 'a student', as: 'leo', tenant: 'school', id: live, status: 403, code: 'FORBIDDEN' },
  { who: 'someone outside the directory', as: 'ghost', tenant: 'school', id: live, status: 403, code: 'FORBIDDEN' },
  { who: 'the depositor, in a closed year', as: 'anne', tenant: 'school', id: closed, status: 422, code: 'YEAR_CLOSED' },
  { who: 'the depositor, on a deleted document', as: 'anne', tenant: 'school', id: deleted, status: 404, code: 'NOT_FOUND' },
  { who: 'the depositor, on a document that never existed', as: 'anne', tenant: 'school', id: 'no-such-document', status: 404, code: 'NOT_FOUND' },
];

describe('every refusal on every management route writes nothing', () => {
  it('recipient, stranger, other tenant, student, outsider, closed year, deleted, unknown', async () => {
    const before = await h.footprint();
    for (const c of cases()) {
      for (const r of routes(c.id)) {
        const res = await h.request(r.method, r.path, {
          as: c.as,
          tenant: c.tenant,
          ...(r.json ? { json: r.json } : {}),
          ...(r.form ? { body: h.form(undefined, { content: 'a new version' }) } : {}),
        });
        expect([c.who, r.method, r.path, res.status, res.json?.code]).toEqual([c.who, r.method, r.path, c.status, c.code]);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    expect(await h.footprint()).toEqual(before);
  });
});
