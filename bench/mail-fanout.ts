import { ownCpuMs } from './load.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { loadConfig } from '../src/adapters/config/config.js';
import { composeMail } from '../src/application/mail-content.js';
import { compose } from '../src/composition/compose.js';
import { schoolDirectory } from '../test/support/fixtures.js';
import { startSmtp } from '../test/support/smtp-server.js';

const waitUntil = async (done: () => boolean, timeoutMs: number) => {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
};

/**
 * One deposit to `recipients` people: the time until the SMTP server (smtp-server, in a child
 * process) has accepted every mail, next to nodemailer sending the same mails to the same server
 * directly, with the same pool of 4 connections. The product's time includes what the baseline does
 * not do: reading the outbox, composing, and recording each EmailSent with an fsync (FULL).
 */
export const benchMailFanout = async (recipients = 500) => {
  const smtp = await startSmtp();
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-mail-'));
  try {
    const fact = { kind: 'deposited' as const, documentId: 'doc', title: 'Conseil de classe', actorName: 'Anne Martin', category: 'Conseils', memo: 'À lire avant lundi' };
    const transport = createTransport({ pool: true, maxConnections: 4, host: '127.0.0.1', port: Number(new URL(smtp.url).port), secure: false });
    const started = performance.now();
    const baselineCpu = ownCpuMs();
    await Promise.all(
      Array.from({ length: recipients }, (_, i) => transport.sendMail({ from: 'casier@school.test', to: `t${i}@school.test`, messageId: `<base-${i}@school.test>`, ...composeMail([fact], 'fr', 'https://casier.school.test') })),
    );
    await waitUntil(() => smtp.count() >= recipients, 60_000);
    const baselineMs = performance.now() - started;
    const baselineCpuMs = ownCpuMs() - baselineCpu;
    transport.close();

    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_LOG_LEVEL: 'silent', LOCKER_SMTP_URL: smtp.url, LOCKER_MAIL_FROM: 'casier@school.test' }));
    const staff = Array.from({ length: recipients }, (_, i) => ({ id: `t${i}`, displayName: `Teacher ${i}`, kind: 'teacher' as const, email: `t${i}@school.test`, profiles: [] }));
    const uc = app.useCases;
    (await uc.syncDirectory({ tenant: 'bench', userId: 'sync', scopes: ['directory:write'] }, { ...schoolDirectory, users: [...schoolDirectory.users, ...staff] }))._unsafeUnwrap();
    const anne = { tenant: 'bench', userId: 'anne', scopes: [] };
    const category = (await uc.createCategory({ ...anne, userId: 'admin' }, 'Conseils'))._unsafeUnwrap().id;
    const checked = (await uc.depositDocument.check(anne, { recipients: { users: staff.map((s) => s.id), classes: [] }, categoryId: category, title: 'Conseil de classe' }, undefined))._unsafeUnwrap();
    const before = smtp.count();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const productStarted = performance.now();
    const productCpu = ownCpuMs();
    (await uc.depositDocument.store(checked, { fileName: 'conseil.pdf', mediaType: 'application/pdf', content: (async function* () { yield new TextEncoder().encode('minutes'); })(), truncated: () => false }))._unsafeUnwrap();
    while (smtp.count() - before < recipients && performance.now() - productStarted < 120_000) (await app.mail!.tick())._unsafeUnwrap();
    const productMs = performance.now() - productStarted;
    const productCpuMs = ownCpuMs() - productCpu;
    clearInterval(sampler);
    await app.close();
    return {
      figure: `one deposit to ${recipients} recipients, until every mail is accepted by the SMTP server`,
      recipients,
      lockerMs: Math.round(productMs),
      nodemailerDirectMs: Math.round(baselineMs),
      ratio: Number((baselineMs / productMs).toFixed(3)),
      // This process's CPU time (the SMTP server runs in its own): per mail, and the ratio.
      cpuMsPerMail: { locker: Number((productCpuMs / recipients).toFixed(3)), nodemailerDirect: Number((baselineCpuMs / recipients).toFixed(3)) },
      cpuRatio: Number((baselineCpuMs / productCpuMs).toFixed(3)),
      goal: '>= 0.5',
      peakRssMiB: Math.round(peak / 1048576),
      rssBeforeMiB: Math.round(rssBefore / 1048576),
    };
  } finally {
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
