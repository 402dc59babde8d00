import { okAsync, ResultAsync } from 'neverthrow';
import { effectivePreferences, lockerDecider, type NotificationSettings, type PersonalPreferences, type QuietHours } from '../../domain/index.js';
import { fromResult, lockerHolder, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handle } from '../handle-command.js';
import type { OutboxStatus, OutboxView, PageRequest } from '../ports/read-models.js';

export type PreferencesView = { readonly own: PersonalPreferences; readonly effective: NotificationSettings };

const view = (deps: Deps, actor: Actor): PreferencesView => {
  const own = deps.readModels.preferences(actor.tenant, actor.userId);
  return { own, effective: effectivePreferences(deps.readModels.notificationSettings(actor.tenant), own) };
};

/** A person's own mail choices, and what applies to them once the tenant's defaults fill the rest. */
export const myPreferences = (deps: Deps) => (actor: Actor): ResultAsync<PreferencesView, UseCaseError> =>
  fromResult(lockerHolder(deps, actor)).map(() => view(deps, actor));

export const setMyPreferences =
  (deps: Deps) =>
  (actor: Actor, patch: { email?: boolean | undefined; quietHours?: QuietHours | null | undefined }): ResultAsync<PreferencesView, UseCaseError> =>
    fromResult(lockerHolder(deps, actor))
      .andThen(() =>
        handle(deps, lockerDecider, actor.tenant, deps.streams.locker(actor.tenant, actor.userId), { type: 'SetPreferences', actorId: actor.userId, at: deps.clock.now(), ...patch }),
      )
      .map(() => view(deps, actor));

/** What the outbox holds for a tenant: pending, held for quiet hours, failed (with the last error). */
export const mailOutbox =
  (deps: Deps) =>
  (actor: Actor, status: OutboxStatus | 'held' | undefined, page: PageRequest): ResultAsync<OutboxView & { mailEnabled: boolean }, UseCaseError> =>
    fromResult(withPermission(deps, actor, 'locker.admin')).andThen(() =>
      catchUp(deps.projector).map(() => ({ ...deps.readModels.outbox(actor.tenant, status, page, deps.clock.now()), mailEnabled: deps.mailEnabled })),
    );

/** Failed mails go back to pending (`EmailRequeued` on each person's locker stream), tried afresh. */
export const requeueFailedMail =
  (deps: Deps) =>
  (tenant: string, actorId: string): ResultAsync<{ requeued: number }, UseCaseError> =>
    catchUp(deps.projector).andThen(() => {
      const byUser = new Map<string, string[]>();
      for (const { userId, mailId } of deps.readModels.failedMail(tenant)) byUser.set(userId, [...(byUser.get(userId) ?? []), mailId]);
      return [...byUser]
        .reduce<ResultAsync<number, UseCaseError>>(
          (acc, [userId, mailIds]) =>
            acc.andThen((n) =>
              handle(deps, lockerDecider, tenant, deps.streams.locker(tenant, userId), { type: 'RequeueEmail', actorId, at: deps.clock.now(), holderId: userId, mailIds }, { waitForReadModels: false }).map(
                () => n + mailIds.length,
              ),
            ),
          okAsync(0),
        )
        .andThen((requeued) => catchUp(deps.projector).map(() => ({ requeued })));
    });
