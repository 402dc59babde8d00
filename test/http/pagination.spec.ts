import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDirectory, startHarness, type Harness } from '../support/harness.js';
import { startReceiver } from '../support/receiver.js';

/**
 * One pagination shape everywhere (issue 32): `cursor` and `limit` in, `{ items, nextCursor }` out.
 * Walking a list two at a time gives every item once, in the order of one whole page.
 */
let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let category: string;
const staff = ['t1', 't2', 't3', 't4', 't5'];
const directory = {
  ...schoolDirectory,
  users: [...schoolDirectory.users, ...staff.map((id) => ({ id, displayName: `Teacher ${id}`, kind: 'teacher' as const, profiles: [] }))].map((u) => ({ ...u, email: `${u.id}@school.test` })),
};

beforeAll(async () => {
  receiver = await startReceiver(() => 200);
  // Mail on, to a port nobody answers: mails stay in the outbox.
  h = await startHarness({ LOCKER_SMTP_URL: 'smtp://127.0.0.1:9', LOCKER_MAIL_FROM: 'casier@school.test', LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOCKER_SECRETS_KEY: randomBytes(32).toString('base64') });
  await h.importDirectory('school', directory);
  category = await h.createCategory();
});
afterAll(async () => {
  await h.stop();
  await receiver.stop();
});

/** Every item of a list, two at a time, beside the list read in one page. */
const walk = async (path: string, as: string, key: (item: Record<string, unknown>) => unknown) => {
  const sep = path.includes('?') ? '&' : '?';
  const whole = await h.request('GET', `${path}${sep}limit=100`, { as });
  expect(whole.status).toBe(200);
  expect(whole.json.nextCursor).toBeNull();
  const seen: unknown[] = [];
  let pages = 0;
  for (let cursor: string | null = null; ; ) {
    const page = await h.request('GET', `${path}${sep}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as });
    expect(page.status).toBe(200);
    expect(page.json.items.length).toBeLessThanOrEqual(2);
    seen.push(...page.json.items.map(key));
    pages += 1;
    cursor = page.json.nextCursor;
    if (cursor === null) break;
  }
  expect(seen).toEqual(whole.json.items.map(key));
  return { items: seen, pages };
};

describe('lists that grow are paginated', () => {
  it('receipts, the outbox, webhook deliveries, collections and erasures', async () => {
    const hook = await h.request('POST', '/v1/webhooks', { as: 'admin', json: { url: `${receiver.url}/hook`, events: ['DocumentDeposited'] } });
    expect(hook.status).toBe(201);
    const docs: string[] = [];
    for (let i = 0; i < 3; i++) docs.push((await h.deposit('anne', { recipients: { users: staff }, categoryId: category, title: `Doc ${i}` })).json.id);
    for (let i = 0; i < 5; i++) {
      const made = await h.request('POST', '/v1/collections', { as: 'anne', json: { title: `Ask ${i}`, categoryId: category, recipients: { users: ['marc'] }, dueAt: '2030-01-01T10:00:00Z', draft: true } });
      expect(made.status).toBe(201);
    }

    const receipts = await walk(`/v1/documents/${docs[0]}/receipts`, 'anne', (r) => r.userId);
    expect([...receipts.items].sort()).toEqual(staff);
    expect(receipts.pages).toBe(3);

    const outbox = await walk('/v1/admin/outbox', 'admin', (m) => m.mailId);
    expect(outbox.items).toHaveLength(15);
    expect(new Set(outbox.items).size).toBe(15);

    await expect.poll(async () => (await h.request('GET', `/v1/webhooks/${hook.json.id}/deliveries?limit=100`, { as: 'admin' })).json.items.length).toBe(3);
    const deliveries = await walk(`/v1/webhooks/${hook.json.id}/deliveries`, 'admin', (d) => d.eventId);
    expect(deliveries.pages).toBe(2);

    const asked = await walk('/v1/collections?role=requester', 'anne', (c) => c.title);
    expect(asked.items).toEqual(['Ask 4', 'Ask 3', 'Ask 2', 'Ask 1', 'Ask 0']);

    await h.importDirectory('school', { ...directory, users: directory.users.filter((u) => !['t3', 't4', 't5'].includes(u.id)) });
    for (const userId of ['t3', 't4', 't5']) expect((await h.request('POST', '/v1/erasures', { as: 'admin', json: { userId } })).status).toBe(201);
    const erased = await walk('/v1/erasures', 'admin', (e) => e.userId);
    expect(erased.items).toEqual(['t5', 't4', 't3']);
  });

  it('the audit takes `cursor` and answers `items` and `nextCursor`, and still takes `after` and answers `events` and `next`', async () => {
    const first = await h.request('GET', '/v1/audit/events?limit=2', { as: 'auditor' });
    expect(first.json.items).toHaveLength(2);
    expect(first.json.events).toEqual(first.json.items);
    expect(first.json.next).toBe(first.json.nextCursor);
    const byCursor = await h.request('GET', `/v1/audit/events?limit=2&cursor=${first.json.nextCursor}`, { as: 'auditor' });
    const byAfter = await h.request('GET', `/v1/audit/events?limit=2&after=${first.json.next}`, { as: 'auditor' });
    expect(byCursor.json.items).toEqual(byAfter.json.events);
    expect(byCursor.json.items[0].position).not.toBe(first.json.items[1].position);
  });

  it('a cursor this service did not give out is a 400 naming the field', async () => {
    const bad = await h.request('GET', '/v1/admin/outbox?cursor=nope', { as: 'admin' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('cursor');
  });
});
