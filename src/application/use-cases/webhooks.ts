import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { webhookDecider } from '../../domain/index.js';
import { fromResult, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { fromCredentials } from '../credentials.js';
import { notFound, type UseCaseError } from '../errors.js';
import { catchUp, handle, replay } from '../handle-command.js';
import { takeLease, waves } from '../lease.js';
import { schoolMoves } from '../school-moves.js';
import type { Page, PageRequest, WebhookDelivery, WebhookView } from '../ports/read-models.js';
import type { WebhookSender } from '../ports/webhook-sender.js';

export const WEBHOOKS_WRITE_SCOPE = 'webhooks:write';
const SECRET_OWNER = 'webhook';
const ACTOR = 'system:webhooks';

export type WebhookOptions = {
  readonly holder: string;
  readonly allowedHosts: readonly string[];
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** An endpoint failing this long is disabled, and the admins are told. */
  readonly disableAfterMs: number;
  readonly leaseMs: number;
  readonly concurrency: number;
};

export type WebhookDispatch = { delivered: number; failed: number; disabled: number };

/** Webhooks: registered by an admin or a token with `webhooks:write`; their secret sealed in the credential store. */
export const webhooks = (deps: Deps, sender: WebhookSender, options: WebhookOptions) => {
  const allowed = (actor: Actor) => (actor.scopes.includes(WEBHOOKS_WRITE_SCOPE) ? okAsync(undefined) : fromResult(withPermission(deps, actor, 'locker.admin')).map(() => undefined));
  const command = (tenant: string, cmd: Parameters<typeof webhookDecider.decide>[1], wait = true, beforeAppend?: () => ResultAsync<void, UseCaseError>) =>
    handle(deps, webhookDecider, tenant, deps.streams.webhooks(tenant), cmd, { waitForReadModels: wait, ...(beforeAppend ? { beforeAppend } : {}) });
  const secretOf = (tenant: string, id: string): ResultAsync<string | undefined, UseCaseError> =>
    deps.credentials ? fromCredentials(deps.credentials.get(tenant, SECRET_OWNER, id)).map((c) => c?.password) : okAsync(undefined);
  const find = (tenant: string, id: string): WebhookView | undefined => deps.readModels.webhooks(tenant).find((w) => w.id === id);

  type Outcome = { ok: boolean; status: number | null; error: string | null };
  /** The receiver's answer as a value: a failure to deliver is not a failure of the dispatch. */
  const post = (url: string, messageId: string, body: string, secret: string): ResultAsync<Outcome, never> =>
    sender
      .send({ url, messageId, timestamp: Math.floor(Date.parse(deps.clock.now()) / 1000), body, secret })
      .map((a): Outcome => ({ ok: a.status >= 200 && a.status < 300, status: a.status, error: a.status >= 300 ? `the endpoint answered ${a.status}` : null }))
      .orElse((f) => okAsync<Outcome, never>({ ok: false, status: null, error: f.reason }));

  const attempt = (d: WebhookDelivery, secret: string): ResultAsync<Outcome, never> => {
    const webhook = find(d.tenant, d.webhookId);
    return webhook ? post(webhook.url, d.eventId, d.payload, secret) : okAsync({ ok: false, status: null, error: 'endpoint gone' });
  };

  /** One (endpoint, stream) after another, oldest first; a failure stops that stream until its retry. */
  const chain = (first: WebhookDelivery, report: WebhookDispatch): ResultAsync<void, UseCaseError> =>
    secretOf(first.tenant, first.webhookId).andThen((secret) => (secret ? chainWith(first, report, secret) : okAsync(undefined)));
  const chainWith = (first: WebhookDelivery, report: WebhookDispatch, secret: string): ResultAsync<void, UseCaseError> => {
    const step = (d: WebhookDelivery): ResultAsync<void, UseCaseError> =>
      attempt(d, secret).andThen((outcome): ResultAsync<void, UseCaseError> => {
        const now = deps.clock.now();
        if (outcome.ok) {
          deps.readModels.markWebhookDelivery({ ...d, status: 'delivered', attempts: d.attempts + 1, lastStatus: outcome.status, lastError: null, deliveredAt: now, nextAttemptAt: null });
          report.delivered += 1;
          const next = deps.readModels.nextWebhookDelivery(d.tenant, d.webhookId, d.stream);
          return next && (next.nextAttemptAt === null || next.nextAttemptAt <= now) ? step(next) : okAsync(undefined);
        }
        const attempts = d.attempts + 1;
        const firstFailedAt = d.firstFailedAt ?? now;
        const wait = Math.min(options.retryBaseMs * 2 ** (attempts - 1), options.retryMaxMs);
        deps.readModels.markWebhookDelivery({ ...d, attempts, firstFailedAt, lastError: outcome.error, lastStatus: outcome.status, nextAttemptAt: new Date(Date.parse(now) + wait).toISOString() });
        report.failed += 1;
        if (Date.parse(now) - Date.parse(firstFailedAt) < options.disableAfterMs) return okAsync(undefined);
        report.disabled += 1;
        return command(d.tenant, { type: 'DisableWebhook', actorId: ACTOR, at: now, webhookId: d.webhookId, reason: `failing since ${firstFailedAt}: ${outcome.error}` }, false).map(() => undefined);
      });
    return step(first);
  };

  /** How far each endpoint got, in the log, so a rebuild of the read models resends nothing already delivered. */
  const lastMark = new Map<string, number>();
  const recordProgress = (tenant: string, webhookId: string): ResultAsync<void, UseCaseError> => {
    const upTo = deps.readModels.webhookProgress(tenant, webhookId);
    const key = `${tenant}/${webhookId}`;
    const now = Date.parse(deps.clock.now());
    const pending = deps.readModels.webhookPending(tenant, webhookId);
    if (!upTo || (pending && now - (lastMark.get(key) ?? 0) < 60_000)) return okAsync(undefined);
    lastMark.set(key, now);
    return command(tenant, { type: 'RecordWebhookProgress', actorId: ACTOR, at: deps.clock.now(), webhookId, upTo }, false).map(() => undefined);
  };

  let running: Promise<Awaited<ReturnType<typeof run>>> | undefined;
  const run = () => {
    const report: WebhookDispatch = { delivered: 0, failed: 0, disabled: 0 };
    return catchUp(deps.projector)
      .andThen(() => schoolMoves(deps).importing())
      .andThen((importing) => {
        // A school being imported is left alone: its archive writes the streams a delivery would (ADR 54).
        const heads = deps.readModels.dueWebhookDeliveries(deps.clock.now(), 500).filter((d) => !importing.has(d.tenant));
        const byTenant = new Map<string, WebhookDelivery[]>();
        for (const d of heads) byTenant.set(d.tenant, [...(byTenant.get(d.tenant) ?? []), d]);
        return [...byTenant].reduce<ResultAsync<void, UseCaseError>>(
          (acc, [tenant, firsts]) =>
            acc.andThen(() => {
              return takeLease(deps, tenant, deps.streams.webhookLease(tenant), options.holder, options.leaseMs, ACTOR).andThen((mine) => {
                  if (!mine) return okAsync(undefined);
                  return waves(firsts, options.concurrency)
                    .reduce<ResultAsync<unknown, UseCaseError>>((w, wave) => w.andThen(() => ResultAsync.combine(wave.map((d) => chain(d, report)))), okAsync(null))
                    .andThen(() => ResultAsync.combine([...new Set(firsts.map((d) => d.webhookId))].map((id) => recordProgress(tenant, id))))
                    .map(() => undefined);
                });
            }),
          okAsync(undefined),
        );
      })
      .andThen(() => catchUp(deps.projector))
      .map(() => report);
  };

  return {
    register: (actor: Actor, input: { url: string; events: string[]; secret?: string | undefined }): ResultAsync<WebhookView & { secret: string }, UseCaseError> =>
      allowed(actor).andThen(() => {
        if (!deps.credentials) return errAsync<WebhookView & { secret: string }, UseCaseError>({ code: 'INVALID_WEBHOOK', reason: 'the server has no LOCKER_SECRETS_KEY to keep signing secrets with' });
        const store = deps.credentials;
        const id = deps.ids.newId();
        // Standard Webhooks secrets: whsec_ and base64 bytes (32 random ones when none is given).
        const secret = input.secret ?? `whsec_${deps.ids.secret()}`;
        // The address is checked after the domain's rules (https, no credentials) and before anything is written.
        return command(actor.tenant, { type: 'RegisterWebhook', actorId: actor.userId, at: deps.clock.now(), webhookId: id, url: input.url, events: input.events, allowedHosts: options.allowedHosts }, true, () =>
          sender.check(input.url).mapErr((f): UseCaseError => ({ code: 'INVALID_WEBHOOK', reason: f.reason })),
        )
          .andThen(() => fromCredentials(store.put(actor.tenant, SECRET_OWNER, id, { username: SECRET_OWNER, password: secret }, deps.clock.now())))
          .andThen(() => {
            const view = find(actor.tenant, id);
            return view ? okAsync({ ...view, secret }) : errAsync<WebhookView & { secret: string }, UseCaseError>(notFound('webhook'));
          });
      }),
    list: (actor: Actor): ResultAsync<WebhookView[], UseCaseError> => allowed(actor).map(() => deps.readModels.webhooks(actor.tenant)),
    remove: (actor: Actor, id: string): ResultAsync<null, UseCaseError> =>
      allowed(actor)
        .andThen(() => command(actor.tenant, { type: 'DeleteWebhook', actorId: actor.userId, at: deps.clock.now(), webhookId: id }))
        .andThen(() => (deps.credentials ? fromCredentials(deps.credentials.delete(actor.tenant, SECRET_OWNER, id)) : okAsync(false)))
        .map(() => null),
    deliveries: (actor: Actor, id: string, page: PageRequest): ResultAsync<Page<WebhookDelivery>, UseCaseError> =>
      allowed(actor).andThen(() => (find(actor.tenant, id) ? okAsync(deps.readModels.webhookDeliveries(actor.tenant, id, page)) : errAsync({ code: 'WEBHOOK_NOT_FOUND', webhookId: id } as const))),
    /** A signed ping now, outside the queue: what the endpoint answered. */
    test: (actor: Actor, id: string): ResultAsync<{ status: number | null; error: string | null }, UseCaseError> =>
      allowed(actor).andThen(() => secretOf(actor.tenant, id)).andThen((secret) => {
        const webhook = find(actor.tenant, id);
        if (!webhook || !secret) return errAsync<{ status: number | null; error: string | null }, UseCaseError>({ code: 'WEBHOOK_NOT_FOUND', webhookId: id });
        const messageId = `test-${deps.ids.newId()}`;
        const body = JSON.stringify({ id: messageId, type: 'WebhookTest', tenant: actor.tenant, at: deps.clock.now(), actorId: actor.userId });
        return post(webhook.url, messageId, body, secret).map((o) => ({ status: o.status, error: o.error }));
      }),
    /** Delivers what is due; calls while one runs share it. */
    tick: () => {
      running ??= Promise.resolve(run()).finally(() => {
        running = undefined;
      });
      return running;
    },
    settled: async () => {
      await running;
    },
    /** Folded from the log: what a rebuild would start from. */
    recorded: (tenant: string) => deps.events.readStream(deps.streams.webhooks(tenant)).map((r) => replay(webhookDecider, r)),
  };
};

export type WebhookService = ReturnType<typeof webhooks>;
