import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { compose, TOKENS } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';
import { startReceiver } from '../support/receiver.js';

describe('an endpoint that keeps failing', () => {
  it('is retried with growing waits, then disabled after 3 days, and the admins are told', async () => {
    const receiver = await startReceiver(() => 500);
    const dir = mkdtempSync(join(tmpdir(), 'locker-hook-disable-'));
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const app = await compose(
      loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOCKER_WEBHOOK_RETRY_BASE_MS: '60000' }),
      (c) => c.register(TOKENS.Clock, { useValue: clock }),
    );
    const admin = { tenant: 'school', userId: 'admin', scopes: [] };
    try {
      (await app.useCases.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const hook = (await app.webhooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
      (await app.useCases.createCategory(admin, 'Minutes'))._unsafeUnwrap();
      expect((await app.webhooks.tick())._unsafeUnwrap().failed).toBe(1);
      // Not before the wait: 1 minute, then 2, 4… at most an hour.
      expect((await app.webhooks.tick())._unsafeUnwrap().failed).toBe(0);
      clock.at += 60_000;
      expect((await app.webhooks.tick())._unsafeUnwrap().failed).toBe(1);
      const [delivery] = (await app.webhooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items;
      expect(delivery).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 500, lastError: 'the endpoint answered 500', nextAttemptAt: new Date(clock.at + 120_000).toISOString() });
      clock.at += 3 * 24 * 3600_000;
      expect((await app.webhooks.tick())._unsafeUnwrap()).toMatchObject({ failed: 1, disabled: 1 });
      expect((await app.webhooks.list(admin))._unsafeUnwrap()[0]).toMatchObject({ id: hook.id, active: false });
      expect((await app.webhooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items[0]!.status).toBe('abandoned');
      const told = (await app.useCases.myNotifications(admin, { limit: 10 }))._unsafeUnwrap().items;
      expect(told.find((n) => n.kind === 'webhook-disabled')).toMatchObject({ documentId: hook.id, title: receiver.url });
      // Nothing more goes to it, not even an event that happens after it was disabled (issue 37).
      clock.at += 3600_000;
      expect((await app.webhooks.tick())._unsafeUnwrap().failed).toBe(0);
      const hits = receiver.hits;
      (await app.useCases.createCategory(admin, 'After the endpoint was disabled'))._unsafeUnwrap();
      clock.at += 3600_000;
      expect((await app.webhooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 0, disabled: 0 });
      expect(receiver.hits).toBe(hits);
      const after = (await app.webhooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items;
      expect(after.filter((d) => d.status === 'pending')).toEqual([]);
    } finally {
      await app.close();
      await receiver.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
