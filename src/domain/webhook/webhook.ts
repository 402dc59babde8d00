import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';

/**
 * A tenant's webhook endpoints, on one stream: other services are told of changes by a signed POST.
 * The signing secret is kept sealed outside the log; the log says only that an endpoint exists,
 * where, for which event types, and how far deliveries have gone (so a rebuild does not resend).
 */
export type WebhookEvent =
  | DomainEvent<'WebhookRegistered', { webhookId: string; url: string; events: string[] }>
  | DomainEvent<'WebhookDeleted', { webhookId: string }>
  /** Failing for too long: no more deliveries until it is registered again. */
  | DomainEvent<'WebhookDisabled', { webhookId: string; reason: string }>
  /** Every event up to this position (the store's, as text) has been delivered, or given up on. */
  | DomainEvent<'WebhookProgressed', { webhookId: string; upTo: string }>;

export type Webhook = { readonly id: string; readonly url: string; readonly events: readonly string[]; readonly active: boolean; readonly upTo: string | null };
export type Webhooks = ReadonlyMap<string, Webhook>;

export type WebhookError =
  | { readonly code: 'WEBHOOK_NOT_FOUND'; readonly webhookId: string }
  | { readonly code: 'INVALID_WEBHOOK'; readonly reason: string };

export type WebhookCommand =
  | (CommandContext & { readonly type: 'RegisterWebhook'; readonly webhookId: string; readonly url: string; readonly events: readonly string[]; readonly allowedHosts: readonly string[] })
  | (CommandContext & { readonly type: 'DeleteWebhook'; readonly webhookId: string })
  | (CommandContext & { readonly type: 'DisableWebhook'; readonly webhookId: string; readonly reason: string })
  | (CommandContext & { readonly type: 'RecordWebhookProgress'; readonly webhookId: string; readonly upTo: string });

export const MAX_WEBHOOKS = 20;

/** Only https, or plain http to a host an operator allowed (LOCKER_WEBHOOK_ALLOWED_HOSTS): no file:, no credentials in the URL. */
export const checkWebhookUrl = (raw: string, allowedHosts: readonly string[]): Result<string, WebhookError> => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return err({ code: 'INVALID_WEBHOOK', reason: 'not a URL' });
  }
  if (url.username || url.password) return err({ code: 'INVALID_WEBHOOK', reason: 'a webhook URL carries no credentials: deliveries are signed' });
  const allowed = allowedHosts.includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && allowed)) return ok(url.toString());
  return err({ code: 'INVALID_WEBHOOK', reason: `only https URLs${allowedHosts.length ? `, or http to ${allowedHosts.join(', ')}` : ''}` });
};

const evolve = (state: Webhooks, event: WebhookEvent): Webhooks => {
  const next = new Map(state);
  const d = event.data;
  switch (event.type) {
    case 'WebhookRegistered':
      next.set(d.webhookId, { id: d.webhookId, url: event.data.url, events: event.data.events, active: true, upTo: null });
      return next;
    case 'WebhookDeleted':
      next.delete(d.webhookId);
      return next;
    case 'WebhookDisabled':
    case 'WebhookProgressed': {
      const current = state.get(d.webhookId);
      if (!current) return state;
      next.set(d.webhookId, event.type === 'WebhookDisabled' ? { ...current, active: false } : { ...current, upTo: event.data.upTo });
      return next;
    }
  }
};

const decide = (state: Webhooks, cmd: WebhookCommand): Result<WebhookEvent[], WebhookError> => {
  const by = { actor: cmd.actorId, at: cmd.at };
  const known = state.get(cmd.webhookId);
  switch (cmd.type) {
    case 'RegisterWebhook': {
      if (known) return ok([]);
      if (state.size >= MAX_WEBHOOKS) return err({ code: 'INVALID_WEBHOOK', reason: `at most ${MAX_WEBHOOKS} endpoints per school` });
      if (cmd.events.length === 0) return err({ code: 'INVALID_WEBHOOK', reason: 'name the event types, or ["*"] for all' });
      return checkWebhookUrl(cmd.url, cmd.allowedHosts).map((url): WebhookEvent[] => [{ type: 'WebhookRegistered', data: { webhookId: cmd.webhookId, url, events: [...new Set(cmd.events)] }, ...by }]);
    }
    case 'DeleteWebhook':
      return known ? ok([{ type: 'WebhookDeleted', data: { webhookId: cmd.webhookId }, ...by }]) : err({ code: 'WEBHOOK_NOT_FOUND', webhookId: cmd.webhookId });
    case 'DisableWebhook':
      return ok(known?.active ? [{ type: 'WebhookDisabled', data: { webhookId: cmd.webhookId, reason: cmd.reason }, ...by }] : []);
    case 'RecordWebhookProgress':
      // Positions only go forward; an older mark (a slower node's) changes nothing.
      return ok(known && (known.upTo === null || BigInt(cmd.upTo) > BigInt(known.upTo)) ? [{ type: 'WebhookProgressed', data: { webhookId: cmd.webhookId, upTo: cmd.upTo }, ...by }] : []);
  }
};

export const webhookDecider: Decider<WebhookCommand, Webhooks, WebhookEvent, WebhookError> = { initialState: new Map(), evolve, decide };

/** Events that are the service's own housekeeping: never delivered, never streamed. */
const INTERNAL_EVENTS: ReadonlySet<string> = new Set(['MailLeaseTaken', 'EmailSent', 'EmailFailed', 'EmailRequeued', 'NotificationsRead', 'PreferencesSet', 'CloudLinked', 'CloudUnlinked', 'DirectoryFollowed', 'DirectoryPartStaged']);

/** Whether other services are told of an event: not housekeeping, and not the webhooks' own records. */
export const isPublicEvent = (type: string): boolean => !INTERNAL_EVENTS.has(type) && !type.startsWith('Webhook');

/**
 * What other services are told of an event: its type, time, actor and the ids it concerns (the
 * document, the collection request, the people), never names, titles, memos or bytes.
 */
export const publicEvent = (event: { id: string; type: string; tenant: string; at: string; actor: string; data: Record<string, unknown> }) => {
  const d = event.data;
  const ids = (key: string) => (Array.isArray(d[key]) ? (d[key] as unknown[]).filter((v): v is string => typeof v === 'string') : undefined);
  const one = (key: string) => (typeof d[key] === 'string' ? (d[key] as string) : undefined);
  const people = [...new Set([...(ids('recipientIds') ?? []), ...(ids('userIds') ?? []), ...(ids('askedIds') ?? []), ...(one('userId') ? [one('userId')!] : [])])];
  return {
    id: event.id,
    type: event.type,
    tenant: event.tenant,
    at: event.at,
    actorId: event.actor,
    ...(one('documentId') ? { documentId: one('documentId') } : {}),
    ...(one('collectionId') ? { collectionId: one('collectionId') } : {}),
    ...(one('categoryId') ? { categoryId: one('categoryId') } : {}),
    ...(typeof (d['content'] as { version?: number } | undefined)?.version === 'number' ? { version: (d['content'] as { version: number }).version } : typeof d['version'] === 'number' ? { version: d['version'] } : {}),
    ...(people.length > 0 ? { userIds: people } : {}),
  };
};

export type PublicEvent = ReturnType<typeof publicEvent>;
