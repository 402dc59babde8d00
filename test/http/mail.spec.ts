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

describe('quiet hours on the running server', () => {
  it('a mail deposited a moment before quiet hours end waits, then goes on its own when they end', async () => {
    const { startServer } = await import('../../src/composition/serve.js');
    const { TOKENS } = await import('../../src/composition/compose.js');
    const { loadConfig } = await import('../../src/adapters/config/config.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    // Real time, shifted: right before the deposit the server's clock is set to 09:59:58.5 Paris
    // time and runs on from there, so a window ending at 10:00 ends a second and a half later.
    let offset = Date.parse('2026-12-01T07:00:00.000Z') - Date.now();
    const clock = { now: () => new Date(Date.now() + offset).toISOString() };
    const dataDir = mkdtempSync(join(tmpdir(), 'locker-quiet-'));
    const config = loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'silent', LOCKER_JWT_SECRET: 'q'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_SMTP_URL: smtp.url, LOCKER_MAIL_FROM: 'casier@school.test', LOCKER_MAIL_POLL_MS: '50' });
    const running = await startServer(config, (c) => c.register(TOKENS.Clock, { useValue: clock }));
    try {
      const uc = running.app.useCases;
      (await uc.syncDirectory({ tenant: 'quiet', userId: 'sync', scopes: ['directory:write'] }, { ...schoolDirectory, users: schoolDirectory.users.map((u) => ({ ...u, email: `${u.id}@quiet.test` })) }))._unsafeUnwrap();
      const admin = { tenant: 'quiet', userId: 'admin', scopes: [] };
      (await uc.updateSettings(admin, { notifications: { quietHours: { start: '09:00', end: '10:00' }, timeZone: 'Europe/Paris' } }))._unsafeUnwrap();
      const category = (await uc.createCategory(admin, 'Minutes'))._unsafeUnwrap().id;
      const before = (await smtp.received()).filter((m) => m.envelopeTo[0] === 'marc@quiet.test').length;
      offset = Date.parse('2026-12-01T08:59:58.500Z') - Date.now();
      const checked = (await uc.depositDocument.check({ ...admin, userId: 'anne' }, { recipients: { users: ['marc'], classes: [] }, categoryId: category, title: 'Quiet' }, undefined))._unsafeUnwrap();
      (await uc.depositDocument.store(checked, { fileName: 'q.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode('q'); })(), truncated: () => false }))._unsafeUnwrap();
      // Within the window: held (the dispatcher has looked at it: it set heldUntil), nothing sent.
      for (let i = 0; i < 100 && (await uc.mailOutbox(admin, 'held', { limit: 10 }))._unsafeUnwrap().items.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const held = (await uc.mailOutbox(admin, 'held', { limit: 10 }))._unsafeUnwrap();
      expect(held.items.map((i) => i.heldUntil)).toEqual(['2026-12-01T09:00:00.000Z']);
      expect((await smtp.received()).filter((m) => m.envelopeTo[0] === 'marc@quiet.test').length).toBe(before);
      // Once the window is over, the server's dispatcher sends it without being asked.
      const until = Date.now() + 5000;
      let mine = 0;
      while (mine === before && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        mine = (await smtp.received()).filter((m) => m.envelopeTo[0] === 'marc@quiet.test').length;
      }
      expect(mine).toBe(before + 1);
      expect(Date.parse(clock.now())).toBeGreaterThanOrEqual(Date.parse('2026-12-01T09:00:00.000Z'));
    } finally {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
