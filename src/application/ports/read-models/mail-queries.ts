import type { NotificationView } from './notification-queries.js';
import type { Page, PageRequest } from './page.js';

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** One mail to one person about one event, as the outbox holds it. */
export type OutboxItem = {
  readonly tenant: string;
  readonly mailId: string;
  readonly userId: string;
  readonly kind: NotificationView['kind'];
  readonly documentId: string;
  readonly actorId: string;
  readonly at: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly heldUntil: string | null;
  readonly lastError: string | null;
  readonly messageId: string | null;
};

/** The dispatcher's bookkeeping for pending mails (this node's, not the log's). */
export type MailDelivery = {
  readonly attempts?: number | undefined;
  readonly nextAttemptAt?: string | undefined;
  readonly heldUntil?: string | undefined;
  readonly lastError?: string | undefined;
  /** Not to be sent, and why (e-mail turned off, no address, too old). */
  readonly skipped?: string | undefined;
};

export type OutboxView = Page<OutboxItem> & { readonly counts: Record<OutboxStatus | 'held', number> };

/** The mail outbox: what is due, what went out, what failed. */
export interface MailQueries {
  /** Pending mails whose time has come (not waiting for a retry or for quiet hours to end), oldest first. */
  dueMail(now: string, limit: number): OutboxItem[];
  outbox(tenant: string, status: OutboxStatus | 'held' | undefined, page: PageRequest, now: string): OutboxView;
  failedMail(tenant: string): { userId: string; mailId: string }[];
  markMail(tenant: string, mailIds: readonly string[], delivery: MailDelivery): void;
}
