import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

const askAll = async (over: Record<string, unknown> = {}) =>
  (await h.deposit('anne', { recipients: { users: ['marc', 'sophie'] }, categoryId: category, acknowledgement: { required: true, dueAt: '2099-01-01T00:00:00Z' }, ...over })).json as { id: string; acknowledgement: unknown };
const open = (as: string, id: string) => h.request('GET', `/v1/documents/${id}/content`, { as });
const ack = (as: string, id: string) => h.request('POST', `/v1/documents/${id}/acknowledgement`, { as });
const receipts = async (id: string) => (await h.request('GET', `/v1/documents/${id}/receipts`, { as: 'anne' })).json.items as { userId: string; acknowledged: { version: number } | null; acknowledgedCurrent: boolean; opened: { version: number }[]; reminders: unknown[] }[];

describe('acknowledgements', () => {
  it('a recipient acknowledges once they opened the latest version; 422 NOT_OPENED before', async () => {
    const doc = await askAll();
    expect(doc.acknowledgement).toEqual({ required: true, dueAt: '2099-01-01T00:00:00Z' });
    const early = await ack('marc', doc.id);
    expect([early.status, early.json.code]).toEqual([422, 'NOT_OPENED']);
    expect((await open('marc', doc.id)).status).toBe(200);
    expect((await ack('marc', doc.id)).json).toEqual({ acknowledgedVersion: 1 });
    // The auditor sees who acknowledged which version, as of any moment.
    const history = await h.request('GET', `/v1/audit/documents/${doc.id}/history`, { as: 'auditor' });
    expect(history.json.events.map((e: { type: string }) => e.type)).toContain('DocumentAcknowledged');
    expect(history.json.state.recipients).toEqual([
      { userId: 'marc', openedVersions: [1], acknowledgedVersion: 1 },
      { userId: 'sophie', openedVersions: [], acknowledgedVersion: null },
    ]);
    const [marc, sophie] = await receipts(doc.id);
    expect(marc).toMatchObject({ userId: 'marc', acknowledged: { version: 1 }, acknowledgedCurrent: true, opened: [{ version: 1 }] });
    expect(sophie).toMatchObject({ userId: 'sophie', acknowledged: null, acknowledgedCurrent: false, opened: [] });
  });

  it('the locker says what is to acknowledge; a new version asks again, a minor one does not', async () => {
    const doc = await askAll();
    const toAck = async (as: string) => ((await h.request('GET', '/v1/locker?toAcknowledge=true', { as })).json.items as { id: string; toAcknowledge: boolean }[]).map((i) => i.id);
    expect(await toAck('marc')).toContain(doc.id);
    await open('marc', doc.id);
    await ack('marc', doc.id);
    expect(await toAck('marc')).not.toContain(doc.id);
    const marcsReceipt = async () => (await receipts(doc.id)).find((r) => r.userId === 'marc')!;
    expect(await marcsReceipt()).toMatchObject({ acknowledged: { version: 1 }, acknowledgedCurrent: true });
    expect((await h.request('PUT', `/v1/documents/${doc.id}/content?minor=true`, { as: 'anne', body: h.form(undefined, { content: 'typo fixed' }) })).status).toBe(200);
    expect(await toAck('marc')).not.toContain(doc.id);
    expect(await marcsReceipt()).toMatchObject({ acknowledgedCurrent: true });
    expect((await h.request('PUT', `/v1/documents/${doc.id}/content`, { as: 'anne', body: h.form(undefined, { content: 'new rules' }) })).status).toBe(200);
    expect(await toAck('marc')).toContain(doc.id);
    // The receipts and a reminder read it the same way: v1's acknowledgement is not v3's.
    expect(await marcsReceipt()).toMatchObject({ acknowledged: { version: 1 }, acknowledgedCurrent: false });
    const reminded = await h.request('POST', `/v1/documents/${doc.id}/reminders`, { as: 'anne' });
    expect(reminded.json.reminded).toContain('marc');
    expect((await ack('marc', doc.id)).json.code).toBe('NOT_OPENED');
    await open('marc', doc.id);
    expect((await ack('marc', doc.id)).json).toEqual({ acknowledgedVersion: 3 });
  });

  it('asked later by PATCH, and refused where it makes no sense', async () => {
    const plain = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category })).json;
    await open('marc', plain.id);
    expect((await ack('marc', plain.id)).json.code).toBe('ACKNOWLEDGEMENT_NOT_ASKED');
    const patched = await h.request('PATCH', `/v1/documents/${plain.id}`, { as: 'anne', json: { acknowledgement: { required: true } } });
    expect(patched.json.acknowledgement).toEqual({ required: true, dueAt: null });
    const told = (await h.request('GET', '/v1/notifications', { as: 'marc' })).json.items as { documentId: string; kind: string }[];
    expect(told.filter((n) => n.documentId === plain.id).map((n) => n.kind)).toEqual(['acknowledgement-asked', 'deposited']);
    expect((await ack('marc', plain.id)).json).toEqual({ acknowledgedVersion: 1 });
    expect((await ack('anne', plain.id)).json.code).toBe('NOT_A_RECIPIENT');
    expect((await ack('paul', plain.id)).status).toBe(404);
    const past = await h.request('PATCH', `/v1/documents/${plain.id}`, { as: 'anne', json: { acknowledgement: { required: true, dueAt: '2020-01-01T00:00:00Z' } } });
    expect([past.status, past.json.code]).toEqual([422, 'INVALID_DUE_DATE']);
    const bad = await h.request('PATCH', `/v1/documents/${plain.id}`, { as: 'anne', json: { acknowledgement: { required: true, dueAt: 'tomorrow' } } });
    expect(bad.status).toBe(400);
  });

  it('receipts are the depositor’s, as JSON or CSV', async () => {
    const doc = await askAll({ title: '=cmd' });
    await open('sophie', doc.id);
    await ack('sophie', doc.id);
    expect((await h.request('GET', `/v1/documents/${doc.id}/receipts`, { as: 'marc' })).status).toBe(403);
    expect((await h.request('GET', `/v1/documents/${doc.id}/receipts`, { as: 'paul' })).status).toBe(404);
    const csv = await h.request('GET', `/v1/documents/${doc.id}/receipts`, { as: 'anne', headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('userId,displayName,versionsOpened,firstOpenedAt,acknowledgedVersion,acknowledgedAt,acknowledgedCurrent,reminders,lastReminderAt');
    expect(lines[1]).toMatch(/^marc,Marc Petit,,,,,no,0,$/);
    expect(lines[2]).toMatch(/^sophie,Sophie Leroy,1,[^,]+,1,[^,]+,yes,0,$/);
  });
});

describe('reminders', () => {
  it('reach those who still owe the latest version something, at most once a day (429 with Retry-After)', async () => {
    const doc = await askAll();
    await open('marc', doc.id);
    await ack('marc', doc.id);
    const first = await h.request('POST', `/v1/documents/${doc.id}/reminders`, { as: 'anne' });
    expect(first.json).toEqual({ reminded: ['sophie'] });
    const notes = (await h.request('GET', '/v1/notifications', { as: 'sophie' })).json.items as { documentId: string; kind: string }[];
    expect(notes.filter((n) => n.documentId === doc.id).map((n) => n.kind)).toEqual(['reminder', 'deposited']);
    const again = await h.request('POST', `/v1/documents/${doc.id}/reminders`, { as: 'anne' });
    expect([again.status, again.json.code]).toEqual([429, 'REMINDER_TOO_SOON']);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(86_000);
    expect((await receipts(doc.id)).find((r) => r.userId === 'sophie')!.reminders).toHaveLength(1);
    expect((await h.request('POST', `/v1/documents/${doc.id}/reminders`, { as: 'marc' })).status).toBe(403);
    expect((await h.request('POST', `/v1/documents/${doc.id}/reminders`, { as: 'paul' })).status).toBe(404);
  });
});
