import type { ResultAsync } from 'neverthrow';
import { lockerDecider } from '../../domain/index.js';
import { fromResult, lockerHolder } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { handle } from '../handle-command.js';

/**
 * A person marks their notifications read: some by id, or all of them. "All" means all there are
 * now (up to the newest unread one), so one that arrives a moment later stays unread. Read state
 * is an event on their locker stream: it survives a rebuild of the read models.
 */
export const markNotificationsRead =
  (deps: Deps) =>
  (actor: Actor, which: { ids?: readonly string[] | undefined; all?: boolean | undefined }): ResultAsync<{ unread: number }, UseCaseError> =>
    fromResult(lockerHolder(deps, actor))
      .andThen(() =>
        handle(deps, lockerDecider, actor.tenant, deps.streams.locker(actor.tenant, actor.userId), {
          type: 'MarkNotificationsRead',
          actorId: actor.userId,
          at: deps.clock.now(),
          ids: which.ids ?? [],
          upTo: which.all ? (deps.readModels.unreadNotifications(actor.tenant, actor.userId).newest ?? undefined) : undefined,
        }),
      )
      .map(() => ({ unread: deps.readModels.unreadNotifications(actor.tenant, actor.userId).count }));
