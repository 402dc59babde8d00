import { createTransport } from 'nodemailer';
import { ResultAsync } from 'neverthrow';
import type { MailError, Mailer, OutgoingMail } from '../../application/ports/mailer.js';

export type SmtpOptions = { readonly url: string; readonly from: string; readonly timeoutMs: number };

/**
 * The Mailer over SMTP (nodemailer), pooled: a fan-out to hundreds of recipients reuses a few
 * connections. Every phase is bounded (connect, greeting, socket), so a silent server fails a send
 * instead of holding the dispatcher. The server's 5xx answers are permanent refusals; the
 * dispatcher retries them anyway (a relay may be misconfigured for a while), and says so.
 */
export const smtpMailer = (options: SmtpOptions): Mailer => {
  const url = new URL(options.url);
  const transport = createTransport({
    pool: true,
    maxConnections: 4,
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    // A relay on loopback or a private network often has no certificate for its name; STARTTLS is
    // still used when offered. `?tls=strict` in the URL asks for a verified certificate.
    tls: { rejectUnauthorized: url.searchParams.get('tls') === 'strict' },
  });
  return {
    send: (mail: OutgoingMail) =>
      ResultAsync.fromPromise(
        transport.sendMail({
          from: options.from,
          to: { name: mail.to.name, address: mail.to.address },
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: { 'Auto-Submitted': 'auto-generated' },
        }),
        (e): MailError => {
          const code = (e as { responseCode?: number }).responseCode;
          return { code: 'MAIL_NOT_SENT', message: mailFailure(e), permanent: code !== undefined && code >= 500 };
        },
      ).map(() => undefined),
    close: () => transport.close(),
  };
};

/**
 * What is kept of a failed send (in the log, the outbox, the admin's view): the reply code and the
 * enhanced status only. Relays quote the address in their refusals (`550 5.1.1 <x@y>: …`), and that
 * text would outlive the person's erasure; a connection error says only that it failed.
 */
export const mailFailure = (e: unknown): string => {
  const code = (e as { responseCode?: number }).responseCode;
  if (typeof code === 'number') {
    const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(String((e as { response?: unknown }).response ?? ''))?.[1];
    return `the mail server answered ${code}${enhanced ? ` ${enhanced}` : ''}`;
  }
  const kind = (e as { code?: unknown }).code;
  return kind === 'ETIMEDOUT' ? 'the mail server did not answer in time' : 'the mail server could not be reached';
};
