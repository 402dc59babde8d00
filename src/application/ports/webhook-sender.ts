import type { ResultAsync } from 'neverthrow';

/** One signed POST: the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`) over this body. */
export type WebhookRequest = { readonly url: string; readonly messageId: string; readonly timestamp: number; readonly body: string; readonly secret: string };

/** The receiver's answer (any status), or why there was none (timeout, refused connection, a redirect not followed). */
export type WebhookAnswer = { readonly status: number };
export type WebhookFailure = { readonly reason: string };

export interface WebhookSender {
  /** Whether the URL may be called at all (a public address, or a host the operator allowed), resolved now. */
  check(url: string): ResultAsync<void, WebhookFailure>;
  send(request: WebhookRequest): ResultAsync<WebhookAnswer, WebhookFailure>;
}
