import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schoolDirectory } from '../test/support/fixtures.js';
import { startSmtp } from '../test/support/smtp-server.js';
import { killed, startServer, token } from './server.js';

/**
 * One deposit to `recipients` people, each with an address; the server is killed with SIGKILL
 * while it mails them, and restarted. Every mail must arrive; none twice, except those accepted by
 * the SMTP server in the instant before the kill and not yet recorded, which are resent with the
 * same Message-ID (ADR 18): at most the dispatcher's concurrency.
 */
export const mailCrashRun = async (recipients: number) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'locker-reliability-mail-'));
  const smtp = await startSmtp();
  const env = { LOCKER_SMTP_URL: smtp.url, LOCKER_MAIL_FROM: 'casier@school.test', LOCKER_MAIL_POLL_MS: '50' };
  try {
    let server = await startServer(dataDir, env);
    const staff = Array.from({ length: recipients }, (_, i) => ({ id: `t${i}`, displayName: `Teacher ${i}`, kind: 'teacher' as const, email: `t${i}@school.test`, profiles: [] }));
    const directory = { ...schoolDirectory, users: [...schoolDirectory.users, ...staff] };
    const sync = await token('school', 'sync', 'directory:write');
    const json = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
    await fetch(`${server.url}/v1/directory`, { method: 'PUT', headers: json(sync), body: JSON.stringify(directory) });
    const category = ((await (await fetch(`${server.url}/v1/categories`, { method: 'POST', headers: json(await token('school', 'admin')), body: JSON.stringify({ designation: 'Minutes' }) })).json()) as { id: string }).id;
    const form = new FormData();
    form.append('meta', JSON.stringify({ recipients: { users: staff.map((s) => s.id) }, categoryId: category, title: 'For everyone' }));
    form.append('file', new Blob(['minutes']), 'minutes.txt');
    const deposited = await fetch(`${server.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${await token('school', 'anne')}` }, body: form });
    if (deposited.status !== 201) throw new Error(`deposit: ${deposited.status}`);

    // Kill it once some, not all, have gone out.
    const beforeKill = (await smtp.waitFor(Math.ceil(recipients / 5), 30_000)).length;
    await killed(server.child);
    const atKill = (await smtp.received()).length;
    server = await startServer(dataDir, env);
    const started = Date.now();
    let mails = await smtp.received();
    while (new Set(mails.map((m) => m.messageId)).size < recipients && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
      mails = await smtp.received();
    }
    server.child.kill('SIGTERM');
    const ids = mails.map((m) => m.messageId);
    const unique = new Set(ids);
    const addressees = new Set(mails.map((m) => m.envelopeTo[0]));
    const duplicates = ids.length - unique.size;
    return {
      recipients,
      receivedBeforeKill: beforeKill,
      receivedAtKill: atKill,
      delivered: addressees.size,
      mails: ids.length,
      duplicatesWithSameMessageId: duplicates,
      ok: atKill < recipients && addressees.size === recipients && unique.size === recipients && duplicates <= 4,
    };
  } finally {
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
