import type { ResultAsync } from 'neverthrow';

export type OutgoingMail = {
  readonly to: { readonly name: string; readonly address: string };
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Stable per (event, person), or per digest: a mail sent again after a crash is recognisably the same one. */
  readonly messageId: string;
};

/** `permanent`: the server refused this mail (5xx); otherwise it may go through later. */
export type MailError = { readonly code: 'MAIL_NOT_SENT'; readonly message: string; readonly permanent: boolean };

/** Sends mail; the only adapter speaks SMTP. Absent when no SMTP server is configured: in-app only. */
export interface Mailer {
  send(mail: OutgoingMail): ResultAsync<void, MailError>;
  close(): void;
}
