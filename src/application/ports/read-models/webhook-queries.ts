import type { Page, PageRequest } from './page.js';

export type WebhookView = { readonly id: string; readonly url: string; readonly events: string[]; readonly active: boolean; readonly registeredAt: string };

/** One event for one endpoint: its signed body is `payload`; attempts and the last error say how it went. */
export type WebhookDelivery = {
  readonly tenant: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly stream: string;
  readonly position: string;
  readonly type: string;
  readonly payload: string;
  readonly status: 'pending' | 'delivered' | 'abandoned';
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly firstFailedAt: string | null;
  readonly lastError: string | null;
  readonly lastStatus: number | null;
  readonly deliveredAt: string | null;
};

/** Webhook endpoints and their deliveries. */
export interface WebhookQueries {
  webhooks(tenant: string): WebhookView[];
  /** The oldest pending delivery of each (endpoint, stream) whose time has come. */
  dueWebhookDeliveries(now: string, limit: number): WebhookDelivery[];
  nextWebhookDelivery(tenant: string, webhookId: string, stream: string): WebhookDelivery | undefined;
  webhookDeliveries(tenant: string, webhookId: string, page: PageRequest): Page<WebhookDelivery>;
  /** The position up to which every delivery of the endpoint is done. */
  webhookProgress(tenant: string, webhookId: string): string | null;
  /** Whether the endpoint has any delivery still pending. */
  webhookPending(tenant: string, webhookId: string): boolean;
  markWebhookDelivery(delivery: WebhookDelivery): void;
}
