import { createHmac } from 'node:crypto';
import { ResultAsync } from 'neverthrow';
import { isRefusal, outboundGuard, type Lookup } from '../shared/outbound-guard.js';
import type { WebhookAnswer, WebhookFailure, WebhookRequest, WebhookSender } from '../../application/ports/webhook-sender.js';

/** `whsec_` + base64: the Standard Webhooks form of a secret; the bytes after the prefix are the key. */
const keyOf = (secret: string): Buffer => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

/** `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, as the Standard Webhooks specification has it. */
export const signWebhook = (secret: string, messageId: string, timestamp: number, body: string): string =>
  `v1,${createHmac('sha256', keyOf(secret)).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`;

/** What a client is told of a failure: refused or failed, never the socket's error (which tells a closed port from an open one) nor what a name resolved to. */
const REFUSED = 'refused: the endpoint is not at a public address';
const FAILED = 'failed: the endpoint could not be reached';

/**
 * Deliveries over fetch: only to public addresses, checked as each connection is made (ADR 38),
 * bounded in time, no redirect followed (a 3xx is an answer, and not a success), the body read and
 * dropped so the connection can be reused.
 */
export const fetchWebhookSender = (options: { timeoutMs: number; allowedHosts: readonly string[]; lookup?: Lookup }): WebhookSender => {
  const guard = outboundGuard(options);
  const failure = (e: unknown): WebhookFailure => ({ reason: isRefusal(e) ? REFUSED : FAILED });
  return {
  check: (url: string) => ResultAsync.fromPromise(guard.check(url), failure),
  send: (r: WebhookRequest) =>
    ResultAsync.fromPromise(
      (async (): Promise<WebhookAnswer> => {
        const res = await guard.fetch(r.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'digital-locker-webhooks',
            'webhook-id': r.messageId,
            'webhook-timestamp': String(r.timestamp),
            'webhook-signature': signWebhook(r.secret, r.messageId, r.timestamp, r.body),
          },
          body: r.body,
        });
        await res.arrayBuffer().catch(() => undefined);
        return { status: res.status };
      })(),
      failure,
    ),
  };
};
