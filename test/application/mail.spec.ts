import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import type { Actor } from '../../src/application/deps.js';
import { mailDispatcher } from '../../src/application/use-cases/dispatch-mail.js';
import { smtpMailer } from '../../src/adapters/smtp/smtp-mailer.js';
import type { Directory } from '../../src/domain/index.js';
import { compose, TOKENS, type App } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';
import { startSmtp } from '../support/smtp-server.js';

/** The fixture school, everyone with an address; Paul's display name needs escaping in HTML. */
const directory: Directory = {
  ...schoolDirectory,
  users: schoolDirectory.users.map((u) => ({ ...u, email: `${u.id}@school.test`, ...(u.id === 'paul' ? { displayName: 'Paul <Durand> & Co' } : {}) })),
};

/** Time that moves only when a test says so. */
const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };

const bytes = async function* () {
  yield new TextEncoder().encode('content');
};

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let app: App;
let dir: string;
let category: string;
const as = (userId: string): Actor => ({ tenant: 'school', userId, scopes: [] });

const deposit = async (actor: string, users: string[], title = 'Council minutes') => {
  const checked = (await app.useCases.depositDocument.check(as(actor), { recipients: { users, classes: [] }, categoryId: category, title, memo: 'Read <before> Monday' }, undefined))._unsafeUnwrap();
  return (await app.useCases.depositDocument.store(checked, { fileName: 'minutes.pdf', mediaType: 'application/pdf', content: bytes(), truncated: () => false }))._unsafeUnwrap().document;
};
const tick = async () => (await app.mail!.tick())._unsafeUnwrap();

beforeAll(async () => {
  smtp = await startSmtp();
  dir = mkdtempSync(join(tmpdir(), 'locker-mail-'));
  app = await compose(
    loadConfig({
      LOCKER_DATA_DIR: dir,
      LOCKER_JWT_SECRET: 'x'.repeat(40),
      LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL',
      LOCKER_SMTP_URL: smtp.url,
      LOCKER_MAIL_FROM: 'Casier numérique <casier@school.test>',
      LOCKER_PUBLIC_URL: 'https://casier.school.test',
      LOCKER_MAIL_RETRY_BASE_MS: '1000',
      LOCKER_MAIL_MAX_ATTEMPTS: '3',
    }),
    (c) => c.register(TOKENS.Clock, { useValue: clock }),
  );
  (await app.useCases.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, directory))._unsafeUnwrap();
  category = (await app.useCases.createCategory(as('admin'), 'Conseils'))._unsafeUnwrap().id;
  await tick();
});
afterAll(async () => {
  await app.close();
  await smtp.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await smtp.setMode('accept');
  clock.at += 60 * 60 * 1000;
});

const newMails = async (before: number, expected: number) => (await smtp.waitFor(before + expected)).slice(before);

describe('mails that reach people', () => {
  it('a deposit to three people with addresses gives three mails: their address, the subject, a link, never the file', async () => {
    const before = (await smtp.received()).length;
    const doc = await deposit('anne', ['marc', 'paul', 'sophie']);
    expect((await tick()).sent).toBe(3);
    const mails = await newMails(before, 3);
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(['marc@school.test', 'paul@school.test', 'sophie@school.test']);
    for (const m of mails) {
      expect(m.subject).toBe('Anne Martin a déposé « Council minutes » dans votre casier');
      expect(m.text).toContain(`https://casier.school.test/v1/documents/${doc.id}`);
      expect(m.text).toContain('Catégorie : Conseils');
      expect(m.html).toContain('Read &lt;before&gt; Monday');
      expect(m.attachments).toEqual([]);
      expect(m.from?.text).toContain('casier@school.test');
    }
    // Sent is recorded: the next tick sends nothing again, and the ids are stable per (event, person).
    expect((await tick()).sent).toBe(0);
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(3);
    const sent = (await app.deps.events.readAll({ limit: 100_000 }))._unsafeUnwrap().filter((e) => e.type === 'EmailSent');
    expect(sent.map((e) => `<${(e.data as { messageId: string }).messageId.replace(/[<>]/g, '')}>`)).toEqual(expect.arrayContaining(mails.map((m) => m.messageId)));
  });

  it('names are escaped in the HTML, and the tenant’s language is used', async () => {
    (await app.useCases.updateSettings(as('admin'), { notifications: { locale: 'en' } }))._unsafeUnwrap();
    try {
      const before = (await smtp.received()).length;
      await deposit('paul', ['marc'], 'Timetable <draft>');
      await tick();
      const [mail] = await newMails(before, 1);
      expect(mail!.subject).toBe('Paul <Durand> & Co deposited “Timetable <draft>” in your locker');
      expect(mail!.html).toContain('Paul &lt;Durand&gt; &amp; Co deposited “Timetable &lt;draft&gt;”');
    } finally {
      (await app.useCases.updateSettings(as('admin'), { notifications: { locale: 'fr' } }))._unsafeUnwrap();
    }
  });

  it('someone who turned e-mail off gets none, and the others theirs', async () => {
    (await app.useCases.setMyPreferences(as('sophie'), { email: false }))._unsafeUnwrap();
    try {
      const before = (await smtp.received()).length;
      await deposit('anne', ['sophie', 'marc']);
      const run = await tick();
      expect([run.sent, run.skipped]).toEqual([1, 1]);
      const mails = await newMails(before, 1);
      expect(mails.map((m) => m.envelopeTo[0])).toEqual(['marc@school.test']);
    } finally {
      (await app.useCases.setMyPreferences(as('sophie'), { email: true }))._unsafeUnwrap();
    }
  });

  it('mails due in quiet hours (crossing midnight, in the tenant’s zone) are held, then sent as one digest when they end', async () => {
    (await app.useCases.updateSettings(as('admin'), { notifications: { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/Paris' } }))._unsafeUnwrap();
    try {
      clock.at = Date.parse('2026-12-02T22:30:00.000Z'); // 23:30 in Paris
      const before = (await smtp.received()).length;
      await deposit('anne', ['marc'], 'First');
      await deposit('paul', ['marc'], 'Second');
      expect((await tick()).held).toBe(2);
      expect((await app.useCases.mailOutbox(as('admin'), 'held', { limit: 10 }))._unsafeUnwrap().items.map((i) => i.heldUntil)).toEqual(['2026-12-03T06:00:00.000Z', '2026-12-03T06:00:00.000Z']);
      clock.at = Date.parse('2026-12-03T05:59:00.000Z');
      expect((await tick()).sent).toBe(0);
      clock.at = Date.parse('2026-12-03T06:00:00.000Z'); // 07:00 in Paris
      expect((await tick()).sent).toBe(1);
      const [digest] = await newMails(before, 1);
      expect(digest!.subject).toBe('2 nouveautés dans votre casier numérique');
      expect(digest!.text).toContain('« First »');
      expect(digest!.text).toContain('« Second »');
    } finally {
      (await app.useCases.updateSettings(as('admin'), { notifications: { quietHours: null } }))._unsafeUnwrap();
    }
  });

  it('a refusing server (5xx) is retried with backoff, then reported in the outbox; the deposit itself succeeded; a retry requeues it', async () => {
    await smtp.setMode('refuse');
    const before = (await smtp.received()).length;
    const doc = await deposit('anne', ['marc']);
    expect(doc.recipients).toEqual(['marc']);
    expect((await tick()).retried).toBe(1);
    let outbox = (await app.useCases.mailOutbox(as('admin'), 'pending', { limit: 10 }))._unsafeUnwrap();
    const mine = outbox.items.find((i) => i.documentId === doc.id)!;
    expect(mine).toMatchObject({ attempts: 1, lastError: 'the mail server answered 550 5.1.1' });
    // Not before its time: the backoff holds it.
    expect((await tick()).retried).toBe(0);
    clock.at += 1000;
    expect((await tick()).retried).toBe(1);
    clock.at += 2000;
    expect((await tick()).failed).toBe(1);
    outbox = (await app.useCases.mailOutbox(as('admin'), 'failed', { limit: 10 }))._unsafeUnwrap();
    expect(outbox.items.find((i) => i.documentId === doc.id)).toMatchObject({ status: 'failed', lastError: 'the mail server answered 550 5.1.1' });
    // The relay quoted the address; neither the outbox nor the log keeps it (an erased person's address would stay in clear).
    const log = JSON.stringify((await app.deps.events.readAll({ limit: 100_000, tenant: 'school' }))._unsafeUnwrap().filter((e) => e.type === 'EmailFailed').map((e) => e.data));
    expect(log).toContain('the mail server answered 550 5.1.1');
    expect(log).not.toMatch(/@|Recipient address rejected/);
    expect(outbox.counts.failed).toBeGreaterThanOrEqual(1);

    await smtp.setMode('accept');
    expect((await app.useCases.requeueFailedMail('school', 'admin'))._unsafeUnwrap().requeued).toBeGreaterThanOrEqual(1);
    expect((await tick()).sent).toBeGreaterThanOrEqual(1);
    const mails = await newMails(before, 1);
    expect(mails[0]!.text).toContain(doc.id);
  });

  it('a server that is down is retried, and the mail goes once it is back', async () => {
    const down = mailDispatcher(app.deps, smtpMailer({ url: 'smtp://127.0.0.1:9', from: 'casier@school.test', timeoutMs: 500 }), {
      holder: 'this-node', leaseMs: 60_000, maxAttempts: 3, retryBaseMs: 1000, maxAgeMs: 3 * 24 * 3600_000, publicUrl: 'https://casier.school.test', messageIdDomain: 'school.test', batch: 100, concurrency: 4,
    });
    const doc = await deposit('anne', ['paul']);
    clock.at += 61_000; // the main dispatcher's lease has run out: this one takes it
    const run = (await down.tick())._unsafeUnwrap();
    expect(run.retried).toBe(1);
    const item = (await app.useCases.mailOutbox(as('admin'), 'pending', { limit: 10 }))._unsafeUnwrap().items.find((i) => i.documentId === doc.id)!;
    expect(item.lastError).toBe('the mail server could not be reached');
    clock.at += 61_000;
    const before = (await smtp.received()).length;
    expect((await tick()).sent).toBe(1);
    expect((await newMails(before, 1))[0]!.envelopeTo).toEqual(['paul@school.test']);
  });

  it('with two nodes, only the holder of the lease sends; the other takes over once it expires', async () => {
    const other = mailDispatcher(app.deps, smtpMailer({ url: smtp.url, from: 'casier@school.test', timeoutMs: 2000 }), {
      holder: 'other-node', leaseMs: 60_000, maxAttempts: 3, retryBaseMs: 1000, maxAgeMs: 3 * 24 * 3600_000, publicUrl: 'https://casier.school.test', messageIdDomain: 'school.test', batch: 100, concurrency: 4,
    });
    // This node takes the lease as it sends.
    await deposit('anne', ['marc']);
    expect((await tick()).sent).toBe(1);
    await deposit('anne', ['marc']);
    expect((await other.tick())._unsafeUnwrap()).toMatchObject({ sent: 0, leaseHeldElsewhere: ['school'] });
    expect((await tick()).sent).toBe(1);
    await deposit('anne', ['marc']);
    clock.at += 61_000;
    expect((await other.tick())._unsafeUnwrap()).toMatchObject({ sent: 1, leaseHeldElsewhere: [] });
    clock.at += 61_000;
  });
});
