import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { isPublicEvent, publicEvent, type PublicEvent } from '../../domain/index.js';
import type { Actor, Deps } from '../deps.js';
import { forbidden, type UseCaseError } from '../errors.js';
import { catchUp } from '../handle-command.js';

export const EVENTS_READ_SCOPE = 'events:read';

export type StreamedEvent = { readonly position: string; readonly event: PublicEvent };

/**
 * The tenant's events for a service holding `events:read`, as other services may see them: ids,
 * types and times, no names. Positions are the store's: a client resumes from the last it saw.
 */
export const eventStream = (deps: Deps) => ({
  allowed: (actor: Actor): ResultAsync<void, UseCaseError> => (actor.scopes.includes(EVENTS_READ_SCOPE) ? okAsync(undefined) : errAsync(forbidden(`requires the scope ${EVENTS_READ_SCOPE}`))),
  /** Where "now" is: the position this node's read models have reached (events after it are news). */
  head: (): ResultAsync<bigint, UseCaseError> => catchUp(deps.projector).map(() => deps.readModels.checkpoint()),
  /**
   * Resolves once this node has projected an event of the actor's tenant past `after` (at once if
   * it already has), or after `ms` at the latest. Every write this node hears of is projected here
   * (its own commands at once, the CLI's and other nodes' within the poll or the subscription), so
   * a live reader waits for that instead of reading the log four times a second; other tenants'
   * writes do not wake it.
   */
  moved: (actor: Actor, after: bigint, ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      if (deps.readModels.tenantPosition(actor.tenant) > after) return resolve();
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const off = deps.projector.onProjected((_, tenants) => {
        if (tenants.has(actor.tenant) && deps.readModels.tenantPosition(actor.tenant) > after) done();
      });
      const timer = setTimeout(done, ms);
    }),
  read: (actor: Actor, after: bigint, limit = 500): ResultAsync<{ events: StreamedEvent[]; last: bigint }, UseCaseError> =>
    deps.events.readAll({ after, limit, tenant: actor.tenant }).map((batch) => ({
      last: batch[batch.length - 1]?.position ?? after,
      events: batch
        .filter((e) => isPublicEvent(e.type))
        .map((e) => ({ position: e.position.toString(), event: publicEvent({ id: e.id, type: e.type, tenant: e.meta.tenant, at: e.meta.at, actor: e.meta.actor, data: e.data as Record<string, unknown> }) })),
    })),
});
