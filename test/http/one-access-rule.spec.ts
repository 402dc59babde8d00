import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDirectory } from '../support/fixtures.js';
import { startSchool, type Harness } from '../support/harness.js';

/**
 * One access rule for every action (issue 30): every document route, for every kind of person,
 * against a model of the rules written here. The model: someone outside the directory or a
 * student is refused (403) whatever they ask; the depositor and a current recipient who has not
 * removed the document from their locker see it; anyone else, another school's person with the
 * same id included, finds nothing (404); of those who see it, only the depositor manages it.
 */
type Person = { readonly who: string; readonly tenant?: string; readonly kind: 'depositor' | 'recipient' | 'hidden' | 'refused'; readonly why: string };
const PEOPLE: readonly Person[] = [
  { who: 'anne', kind: 'depositor', why: 'the depositor' },
  { who: 'marc', kind: 'recipient', why: 'a named recipient' },
  { who: 'sophie', kind: 'recipient', why: 'a member of the class addressed' },
  { who: 'paul', kind: 'hidden', why: 'a recipient who removed it from their locker' },
  { who: 'admin', kind: 'hidden', why: 'an admin who is not a recipient' },
  { who: 'auditor', kind: 'hidden', why: 'an auditor' },
  { who: 'marc', tenant: 'other', kind: 'hidden', why: 'the same id in another school' },
  { who: 'zoe', kind: 'refused', why: 'a recipient who left the directory' },
  { who: 'leo', kind: 'refused', why: 'a student' },
];

type Route = { readonly name: string; readonly manages: boolean; readonly call: (h: Harness, id: string, p: Person) => Promise<{ status: number; json: any; text: string }> };
const ROUTES: readonly Route[] = [
  { name: 'GET metadata', manages: false, call: (h, id, p) => h.request('GET', `/v1/documents/${id}`, { as: p.who, tenant: p.tenant }) },
  { name: 'GET content', manages: false, call: (h, id, p) => h.request('GET', `/v1/documents/${id}/content`, { as: p.who, tenant: p.tenant }) },
  { name: 'PATCH memo', manages: true, call: (h, id, p) => h.request('PATCH', `/v1/documents/${id}`, { as: p.who, tenant: p.tenant, json: { memo: `by ${p.who}` } }) },
  { name: 'POST recipients', manages: true, call: (h, id, p) => h.request('POST', `/v1/documents/${id}/recipients`, { as: p.who, tenant: p.tenant, json: { users: ['marc'] } }) },
  { name: 'PUT content', manages: true, call: (h, id, p) => h.request('PUT', `/v1/documents/${id}/content`, { as: p.who, tenant: p.tenant, body: h.form(undefined, { content: `v by ${p.who}` }) }) },
  { name: 'POST reminders', manages: true, call: (h, id, p) => h.request('POST', `/v1/documents/${id}/reminders`, { as: p.who, tenant: p.tenant }) },
  { name: 'GET receipts', manages: true, call: (h, id, p) => h.request('GET', `/v1/documents/${id}/receipts`, { as: p.who, tenant: p.tenant }) },
  { name: 'DELETE for all', manages: true, call: (h, id, p) => h.request('DELETE', `/v1/documents/${id}`, { as: p.who, tenant: p.tenant }) },
];

let h: Harness;
let category: string;
const withZoe = { ...schoolDirectory, users: [...schoolDirectory.users, { id: 'zoe', displayName: 'Zoé Faure', kind: 'teacher', profiles: [] }] };
/** One document per route, addressed to marc, paul, zoe and class 4B (marc, sophie); paul removed it, zoe left. */
const documents = new Map<string, string>();

beforeAll(async () => {
  ({ h, category } = await startSchool());
  await h.importDirectory('school', withZoe);
  await h.importDirectory('other', schoolDirectory);
  for (const route of ROUTES) {
    const d = await h.deposit('anne', { recipients: { users: ['marc', 'paul', 'zoe'], classes: ['4b'] }, categoryId: category, acknowledgement: { required: true } }, { content: route.name });
    expect(d.status, d.text).toBe(201);
    documents.set(route.name, d.json.id);
    expect((await h.request('DELETE', `/v1/locker/documents/${d.json.id}`, { as: 'paul' })).status).toBe(204);
  }
  await h.importDirectory('school', schoolDirectory);
});
afterAll(async () => h.stop());

describe('one access rule, every route, every kind of person', () => {
  for (const route of ROUTES) {
    it(`${route.name}`, async () => {
      const id = documents.get(route.name)!;
      // The depositor last: their DELETE would make everyone else's answer a plain 404.
      for (const p of [...PEOPLE.filter((x) => x.kind !== 'depositor'), ...PEOPLE.filter((x) => x.kind === 'depositor')]) {
        const r = await route.call(h, id, p);
        const said = `${route.name} by ${p.why} (${p.who}${p.tenant ? ` of ${p.tenant}` : ''}): ${r.status} ${r.text.slice(0, 200)}`;
        if (p.kind === 'refused') expect([r.status, r.json?.code], said).toEqual([403, 'FORBIDDEN']);
        else if (p.kind === 'hidden') expect([r.status, r.json?.code], said).toEqual([404, 'NOT_FOUND']);
        else if (p.kind === 'recipient' && route.manages) expect([r.status, r.json?.code], said).toEqual([403, 'NOT_DEPOSITOR']);
        else expect(r.status, said).toBeLessThan(300);
      }
    });
  }

  it('acknowledging: a current recipient may (once opened), the depositor is not one, nobody else learns it exists', async () => {
    const id = documents.get('GET content')!;
    for (const p of PEOPLE) {
      const r = await h.request('POST', `/v1/documents/${id}/acknowledgement`, { as: p.who, tenant: p.tenant });
      const said = `${p.why}: ${r.status} ${r.text.slice(0, 200)}`;
      const expected = { refused: [403, 'FORBIDDEN'], hidden: [404, 'NOT_FOUND'], depositor: [422, 'NOT_A_RECIPIENT'], recipient: [] }[p.kind];
      // Every current recipient opened it above (GET content): their acknowledgement goes through.
      if (p.kind === 'recipient') expect([r.status, r.json?.acknowledgedVersion], said).toEqual([200, 1]);
      else expect([r.status, r.json?.code], said).toEqual(expected);
    }
  });
});
