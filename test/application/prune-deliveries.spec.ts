import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpMailer } from '../../src/adapters/smtp/smtp-mailer.js';
import { fetchWebhookSender } from '../../src/adapters/webhooks/fetch-webhook-sender.js';
import { mailDispatcher } from '../../src/application/use-cases/dispatch-mail.js';
import { webhooks } from '../../src/application/use-cases/webhooks.js';
import type { Directory } from '../../src/domain/index.js';
import { schoolDirectory } from '../support/fixtures.js';
import { as, deliveringApp, textFile, type EmbeddedApp } from '../support/embedded-app.js';
import { startReceiver } from '../support/receiver.js';
import { startSmtp } from '../support/smtp-server.js';

const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
const DAY = 24 * 3_600_000;
const KEEP = 30 * DAY;

const directory: Directory = { ...schoolDirectory, users: schoolDirectory.users.map((u) => ({ ...u, email: `${u.id}@school.test` })) };

describe('forgetting old deliveries', () => {
  let app: EmbeddedApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let answer = 200;
  let categoryId: string;
  const options = { holder: 'n', leaseMs: 60_000, maxAttempts: 2, retryBaseMs: 1000, maxAgeMs: 365 * DAY, publicUrl: 'https://x.test', messageIdDomain: 'x.test', batch: 100, concurrency: 2 };
  const mail = () => mailDispatcher(app.deps, smtpMailer({ url: smtp.url, from: 'casier@school.test', timeoutMs: 3000 }), options);
  const hooks = () => webhooks(app.deps, fetchWebhookSender({ timeoutMs: 2000, allowedHosts: ['127.0.0.1'] }), { holder: 'n', allowedHosts: ['127.0.0.1'], retryBaseMs: 1000, retryMaxMs: 1000, disableAfterMs: 365 * DAY, leaseMs: 60_000, concurrency: 2 });
  const deposit = async (title: string) => {
    const checked = (await app.useCases.depositDocument.check(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId, title }, undefined))._unsafeUnwrap();
    return (await app.useCases.depositDocument.store(checked, textFile(title)))._unsafeUnwrap().document.id;
  };
  const rows = (table: 'outbox' | 'webhook_outbox') => (app.deps.readModels as unknown as { dump(): Record<string, string[]> }).dump()[table]!.map((r) => JSON.parse(r) as Record<string, unknown>);

  beforeAll(async () => {
    smtp = await startSmtp();
    receiver = await startReceiver(() => answer);
    ({ app, categoryId } = await deliveringApp(clock, directory, smtp.url));
    (await hooks().register(as('admin'), { url: receiver.url, events: ['DocumentDeposited'] }))._unsafeUnwrap();
  });
  afterAll(async () => {
    await app.stop();
    await smtp.stop();
    await receiver.stop();
  });

  it('sent mails and delivered webhooks older than the history go; failed and pending ones, and recent ones, stay; nothing is sent again', async () => {
    const sentLongAgo = await deposit('Sent long ago');
    expect((await mail().tick())._unsafeUnwrap().sent).toBe(1);
    expect((await hooks().tick())._unsafeUnwrap().delivered).toBe(1);
    await smtp.setMode('refuse');
    answer = 500;
    const failed = await deposit('Failed long ago');
    (await mail().tick())._unsafeUnwrap();
    clock.at += 1000;
    expect((await mail().tick())._unsafeUnwrap().failed).toBe(1);
    expect((await hooks().tick())._unsafeUnwrap().failed).toBe(1);
    await smtp.setMode('accept');
    answer = 200;

    clock.at += KEEP + DAY;
    const recent = await deposit('Sent today');
    // The failed webhook goes now, before the recent one (in order per document, each its own stream).
    expect((await mail().tick())._unsafeUnwrap().sent).toBe(1);
    expect((await hooks().tick())._unsafeUnwrap().delivered).toBe(2);
    const before = { mails: rows('outbox').length, hooks: rows('webhook_outbox').length };

    const report = (await app.useCases.pruneDeliveries(KEEP))._unsafeUnwrap();
    expect(report).toEqual({ before: new Date(clock.at - KEEP).toISOString(), mails: 1, webhookDeliveries: 1 });
    const mails = rows('outbox');
    expect(mails).toHaveLength(before.mails - 1);
    expect(mails.map((r) => [r.document_id, r.status])).toEqual(expect.arrayContaining([[failed, 'failed'], [recent, 'sent']]));
    expect(mails.some((r) => r.document_id === sentLongAgo)).toBe(false);
    const deliveries = rows('webhook_outbox');
    expect(deliveries).toHaveLength(before.hooks - 1);
    // The delivery made late (today) stays with today's.
    expect(deliveries.every((r) => r.status === 'delivered' && Date.parse(r.delivered_at as string) >= clock.at - KEEP)).toBe(true);

    // Pruned twice is pruned once; nothing goes out again.
    expect((await app.useCases.pruneDeliveries(KEEP))._unsafeUnwrap()).toMatchObject({ mails: 0, webhookDeliveries: 0 });
    const mailsBefore = smtp.count();
    const hooksBefore = receiver.received.length;
    expect((await mail().tick())._unsafeUnwrap().sent).toBe(0);
    expect((await hooks().tick())._unsafeUnwrap().delivered).toBe(0);
    expect(smtp.count()).toBe(mailsBefore);
    expect(receiver.received.length).toBe(hooksBefore);
  });

  it('a rebuild after pruning sends nothing again, and the next pruning forgets the rows it made', async () => {
    const mailsBefore = smtp.count();
    const hooksBefore = receiver.received.length;
    (await app.useCases.rebuild())._unsafeUnwrap();
    expect((await mail().tick())._unsafeUnwrap().sent).toBe(0);
    expect((await hooks().tick())._unsafeUnwrap().delivered).toBe(0);
    expect(smtp.count()).toBe(mailsBefore);
    expect(receiver.received.length).toBe(hooksBefore);
    (await app.useCases.pruneDeliveries(KEEP))._unsafeUnwrap();
    expect(rows('outbox').filter((r) => r.status === 'sent' && Date.parse(r.at as string) < clock.at - KEEP)).toEqual([]);
  });
});
