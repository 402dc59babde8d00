import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let doc: string;
const moments: Record<string, string> = {};
const tick = async (name: string) => {
  await new Promise((r) => setTimeout(r, 15));
  moments[name] = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 15));
};

beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
  const category = await h.createCategory();
  doc = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category }, { content: 'v1' })).json.id;
  await tick('deposited');
  await h.request('GET', `/v1/documents/${doc}/content`, { as: 'marc' });
  await tick('opened');
  await h.request('PUT', `/v1/documents/${doc}/content`, { as: 'anne', body: h.form(undefined, { content: 'v2' }) });
  await h.request('POST', `/v1/documents/${doc}/recipients`, { as: 'anne', json: { users: ['sophie'] } });
  await h.request('GET', `/v1/documents/${doc}/content?version=2`, { as: 'sophie' });
  await h.request('DELETE', `/v1/locker/documents/${doc}`, { as: 'sophie' });
  await tick('tidied');
  await h.request('DELETE', `/v1/documents/${doc}`, { as: 'anne' });
  await tick('deleted');
});
afterAll(() => h.stop());

const audit = (query: string) => h.request('GET', `/v1/audit/events${query}`, { as: 'auditor' });

describe('audit history', () => {
  it('filters by document, actor, event type, time range and school year', async () => {
    const byDocument = await audit(`?documentId=${doc}`);
    expect(byDocument.json.events.map((e: { type: string }) => e.type)).toEqual([
      'DocumentDeposited',
      'DocumentConsulted',
      'DocumentUpdated',
      'RecipientAdded',
      'DocumentConsulted',
      'DocumentDeletedForAll',
    ]);
    expect(byDocument.json.events.every((e: { revision: number }, i: number) => e.revision === i)).toBe(true);
    expect((await audit('?actor=marc')).json.events.map((e: { type: string }) => e.type)).toEqual(['DocumentConsulted']);
    expect((await audit('?type=DocumentUpdated')).json.events).toHaveLength(1);
    const window = await audit(`?from=${moments.deposited}&to=${moments.opened}`);
    expect(window.json.events.map((e: { type: string; actor: string }) => `${e.type}:${e.actor}`)).toEqual(['DocumentConsulted:marc']);
    expect((await audit('?year=2026-2027&limit=1000')).json.events.length).toBeGreaterThan(6);
    expect((await audit('?year=2024-2025')).json.events).toEqual([]);
    // A date alone, as the CLI takes it (issue 32): midnight UTC of that day.
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
    expect((await audit(`?from=${today}&to=${tomorrow}&limit=1000`)).json.events.length).toBe((await audit('?limit=1000')).json.events.length);
    expect((await audit(`?from=${tomorrow}`)).json.events).toEqual([]);
    const bad = await audit('?from=yesterday');
    expect([bad.status, bad.json.code]).toEqual([400, 'INVALID_INPUT']);
  });

  it('pages with a cursor through exactly what one page would hold', async () => {
    const all = (await audit('?limit=1000')).json.events.map((e: { id: string }) => e.id);
    const paged: string[] = [];
    let next: string | null = null;
    do {
      const res: { json: { events: { id: string }[]; next: string | null } } = await audit(`?limit=3${next ? `&after=${next}` : ''}`);
      paged.push(...res.json.events.map((e) => e.id));
      next = res.json.next;
    } while (next);
    expect(paged).toEqual(all);
  });

  it('a document’s history, and who had opened which version at a given moment', async () => {
    const then = await h.request('GET', `/v1/audit/documents/${doc}/history?asOf=${moments.opened}`, { as: 'auditor' });
    expect(then.status).toBe(200);
    expect(then.json.events).toHaveLength(6);
    expect(then.json.state).toMatchObject({ status: 'live', version: 1, recipients: [{ userId: 'marc', openedVersions: [1] }] });
    const later = await h.request('GET', `/v1/audit/documents/${doc}/history?asOf=${moments.tidied}`, { as: 'auditor' });
    expect(later.json.state).toMatchObject({ status: 'live', version: 2, recipients: [{ userId: 'marc', openedVersions: [1] }] });
    const now = await h.request('GET', `/v1/audit/documents/${doc}/history`, { as: 'auditor' });
    expect(now.json.state.status).toBe('deleted');
    expect((await h.request('GET', '/v1/audit/documents/unknown/history', { as: 'auditor' })).status).toBe(404);
  });

  it('what was in a locker at a moment, rebuilt from the history rather than today’s read models', async () => {
    const before = await h.request('GET', `/v1/audit/lockers/marc?asOf=${moments.opened}`, { as: 'auditor' });
    expect(before.json.documents).toEqual([expect.objectContaining({ documentId: doc, version: 1, recipients: [{ userId: 'marc', openedVersions: [1], acknowledgedVersion: null }] })]);
    expect((await h.request('GET', `/v1/audit/lockers/sophie?asOf=${moments.opened}`, { as: 'auditor' })).json.documents).toEqual([]);
    expect((await h.request('GET', `/v1/audit/lockers/sophie?asOf=${moments.tidied}`, { as: 'auditor' })).json.documents).toEqual([]);
    expect((await h.request('GET', `/v1/audit/lockers/marc?asOf=${moments.deleted}`, { as: 'auditor' })).json.documents).toEqual([]);
    expect((await h.request('GET', '/v1/locker', { as: 'marc' })).json.items).toEqual([]);
  });

  it('is for auditors only, and refuses malformed moments', async () => {
    expect((await h.request('GET', `/v1/audit/lockers/marc?asOf=${moments.opened}`, { as: 'anne' })).status).toBe(403);
    expect((await h.request('GET', `/v1/audit/documents/${doc}/history`, { as: 'marc' })).status).toBe(403);
    expect((await h.request('GET', '/v1/audit/lockers/marc?asOf=yesterday', { as: 'auditor' })).status).toBe(400);
    expect((await h.request('GET', '/v1/audit/lockers/marc', { as: 'auditor' })).status).toBe(400);
  });
});
