import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDirectory, startHarness, type Harness } from '../support/harness.js';
import { startSmtp } from '../support/smtp-server.js';

let h: Harness;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let category: string;
beforeAll(async () => {
  smtp = await startSmtp();
  h = await startHarness({ LOCKER_SMTP_URL: smtp.url, LOCKER_MAIL_FROM: 'casier@school.test', LOCKER_PUBLIC_URL: 'https://casier.school.test', LOCKER_MAIL_POLL_MS: '100' });
  await h.importDirectory('school', { ...schoolDirectory, users: schoolDirectory.users.map((u) => ({ ...u, email: `${u.id}@school.test` })) });
  category = await h.createCategory();
});
afterAll(async () => {
  await h.stop();
  await smtp.stop();
});

describe('mail through the running server', () => {
  it('a deposit is mailed to its recipients by the server’s own dispatcher', async () => {
    const res = await h.deposit('anne', { recipients: { users: ['marc', 'sophie'] }, categoryId: category, title: 'Conseil de classe' });
    expect(res.status).toBe(201);
    const mails = await smtp.waitFor(2);
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(['marc@school.test', 'sophie@school.test']);
    expect(mails[0]!.subject).toBe('Anne Martin a déposé « Conseil de classe » dans votre casier');
    expect(mails[0]!.text).toContain(`https://casier.school.test/v1/documents/${res.json.id}`);
    // The outbox shows nothing left to send.
    const outbox = await h.request('GET', '/v1/admin/outbox', { as: 'admin' });
    expect(outbox.status).toBe(200);
    expect(outbox.json).toMatchObject({ mailEnabled: true, counts: { pending: 0, failed: 0 } });
    expect(outbox.json.counts.sent).toBeGreaterThanOrEqual(2);
  });

  it('only an admin reads the outbox', async () => {
    expect((await h.request('GET', '/v1/admin/outbox', { as: 'marc' })).status).toBe(403);
    expect((await h.request('GET', '/v1/admin/outbox?status=nope', { as: 'admin' })).status).toBe(400);
  });
});

describe('mail settings and preferences', () => {
  it('the tenant’s defaults: set, shown, and bad values refused with a 400 naming the field', async () => {
    const ok = await h.request('PATCH', '/v1/settings', { as: 'admin', json: { notifications: { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/Paris', locale: 'en' } } });
    expect(ok.status).toBe(200);
    expect(ok.json.notifications).toEqual({ email: true, quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/Paris', locale: 'en' });
    for (const [notifications, field] of [
      [{ quietHours: { start: '25:00', end: '07:00' } }, 'notifications.quietHours.start'],
      [{ timeZone: 'Mars/Olympus' }, 'notifications.timeZone'],
      [{ locale: 'de' }, 'notifications.locale'],
    ] as const) {
      const bad = await h.request('PATCH', '/v1/settings', { as: 'admin', json: { notifications } });
      expect(bad.status, JSON.stringify(notifications)).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(bad.json.detail).toContain(field);
    }
    await h.request('PATCH', '/v1/settings', { as: 'admin', json: { notifications: { quietHours: null, locale: 'fr' } } });
  });

  it('a person’s own preferences, over the school’s', async () => {
    const before = await h.request('GET', '/v1/me/preferences', { as: 'marc' });
    expect(before.json).toEqual({ own: {}, effective: { email: true, quietHours: null, timeZone: 'Europe/Paris', locale: 'fr' } });
    const set = await h.request('PATCH', '/v1/me/preferences', { as: 'marc', json: { email: false, quietHours: { start: '20:00', end: '06:30' } } });
    expect(set.status).toBe(200);
    expect(set.json.effective).toMatchObject({ email: false, quietHours: { start: '20:00', end: '06:30' } });
    expect((await h.request('PATCH', '/v1/me/preferences', { as: 'marc', json: { quietHours: { start: '20:00', end: '24:00' } } })).status).toBe(400);
    expect((await h.request('PATCH', '/v1/me/preferences', { as: 'marc', json: {} })).status).toBe(400);
    expect((await h.request('GET', '/v1/me/preferences', { as: 'leo' })).status).toBe(403);
    await h.request('PATCH', '/v1/me/preferences', { as: 'marc', json: { email: true, quietHours: null } });
  });
});
