import { okAsync, ResultAsync } from 'neverthrow';
import { erasureDecider } from '../../domain/index.js';
import { fromResult, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import type { ErasureView, Page, PageRequest } from '../ports/read-models.js';
export type { ErasureView } from '../ports/read-models.js';
import { snapshots } from './snapshots.js';
import { catchUp, handle } from '../handle-command.js';
import { fromCredentials } from '../credentials.js';


/**
 * How long another node may still show the erased fields: its sealing cache and its key cache keep
 * a key for a minute at most (ADR 23, 24). Said in the erasure's answer, not only in the docs.
 */
export const OTHER_NODES_WITHIN_SECONDS = 60;

/**
 * A person's personal data goes: their key (so their name and e-mail read as erased in every event,
 * backup and export), their cloud links, preferences and mail rows. The audit skeleton stays: ids,
 * types, times, the hash chains. Whatever the decision says (done already, or now), the key and the
 * links are deleted again, so an erasure cut short by a crash completes when asked again.
 */
const erase = (deps: Deps, tenant: string, userId: string, actorId: string, reason: 'request' | 'departed'): ResultAsync<ErasureView, UseCaseError> =>
  catchUp(deps.projector)
    .andThen(() =>
      handle(deps, erasureDecider, tenant, deps.streams.erasures(tenant), {
        type: 'ErasePerson',
        actorId,
        at: deps.clock.now(),
        userId,
        inDirectory: deps.readModels.user(tenant, userId) !== undefined,
        reason,
      }),
    )
    // Their keys wherever their fields were sealed: the directory's, and the names of files they tried to upload, infected.
    .andThen(() =>
      ResultAsync.fromPromise(
        (async () => {
          for (const stream of [deps.streams.directory(tenant), deps.streams.scans(tenant)]) await deps.keys.shred(tenant, `person:${userId}`, stream);
        })(),
        (e): UseCaseError => ({ code: 'STORE_UNAVAILABLE', message: `the key store: ${(e as Error).message}` }),
      ),
    )
    .andThen(() => (deps.credentials ? fromCredentials(deps.credentials.deleteAll(tenant, userId)) : okAsync(0)))
    .map(() => deps.readModels.scrub())
    // Copies of the read models taken before still name them: they go too (ADR 51).
    .andThen(() => snapshots(deps).forget())
    .map(() => deps.readModels.erasure(tenant, userId)!);

export const erasures = (deps: Deps) => ({
  /** 409 while they are still in the directory. */
  erase: (actor: Actor, userId: string): ResultAsync<ErasureView & { otherNodesWithinSeconds: number }, UseCaseError> =>
    fromResult(withPermission(deps, actor, 'locker.admin'))
      .andThen(() => erase(deps, actor.tenant, userId, actor.userId, 'request'))
      .map((view) => ({ ...view, otherNodesWithinSeconds: OTHER_NODES_WITHIN_SECONDS })),
  list: (actor: Actor, page: PageRequest): ResultAsync<Page<ErasureView>, UseCaseError> => fromResult(withPermission(deps, actor, 'locker.admin')).map(() => deps.readModels.erasures(actor.tenant, page)),
  /** Everyone gone from the directory for longer than their tenant's delay: run daily by the server. */
  eraseDeparted: (): ResultAsync<{ erased: number }, UseCaseError> =>
    catchUp(deps.projector).andThen(() =>
      deps.readModels
        .departedLongAgo(deps.clock.now())
        .reduce<ResultAsync<number, UseCaseError>>((acc, p) => acc.andThen((n) => erase(deps, p.tenant, p.userId, 'system:erasure', 'departed').map(() => n + 1)), okAsync(0))
        .map((erased) => ({ erased })),
    ),
});
