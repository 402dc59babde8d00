import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDirectory, startHarness, type Harness } from '../support/harness.js';

/** No LOCKER_SMTP_URL: notifications stay in the app, and the outbox stays empty (issue 32). */
let h: Harness;
let category: string;
beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory('school', { ...schoolDirectory, users: schoolDirectory.users.map((u) => ({ ...u, email: `${u.id}@school.test` })) });
  category = await h.createCategory();
});
afterAll(() => h.stop());

describe('with mail off', () => {
  it('a deposit and a reminder notify in the app and queue no mail: the outbox and /metrics show nothing pending', async () => {
    const res = await h.deposit('anne', { recipients: { users: ['marc', 'sophie'] }, categoryId: category, title: 'Conseil de classe' });
    expect(res.status).toBe(201);
    const reminded = await h.request('POST', `/v1/documents/${res.json.id}/reminders`, { as: 'anne' });
    expect(reminded.json.reminded.sort()).toEqual(['marc', 'sophie']);
    const inbox = await h.request('GET', '/v1/notifications', { as: 'marc' });
    expect(inbox.json.items.map((n: { documentId: string }) => n.documentId)).toContain(res.json.id);
    const outbox = await h.request('GET', '/v1/admin/outbox', { as: 'admin' });
    expect(outbox.json).toMatchObject({ mailEnabled: false, counts: { pending: 0, failed: 0, held: 0 }, items: [] });
    const metrics = await h.request('GET', '/metrics');
    expect(metrics.text).not.toMatch(/locker_outbox_mails\{[^}]*status="pending"[^}]*\} [1-9]/);
  });
});
