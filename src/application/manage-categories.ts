import { err, ok, type ResultAsync } from 'neverthrow';
import {
  createCategory as decideCreate,
  evolveTenantSettings,
  initialTenantSettings,
  renameCategory as decideRename,
  retireCategory as decideRetire,
  type Category,
  type TenantSettings,
  type TenantSettingsError,
  type TenantSettingsEvent,
} from '../domain/index.js';
import { member, withPermission } from './access.js';
import { runCommand } from './command-runner.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';

export const tenantSettingsAggregate = { initial: initialTenantSettings, evolve: evolveTenantSettings };

/** Runs an admin's decision on the tenant's settings stream. */
export const changeTenantSettings = <Value>(
  deps: Deps,
  actor: Actor,
  decide: (state: TenantSettings, at: string) => { events: TenantSettingsEvent[]; value: Value } | TenantSettingsError,
): ResultAsync<Value, UseCaseError> => {
  const at = deps.clock.now();
  return withPermission(deps, actor, 'locker.admin')
    .asyncAndThen(() =>
      runCommand<TenantSettings, TenantSettingsEvent, Value, UseCaseError>(
        deps,
        actor.tenant,
        deps.streams.settings(actor.tenant),
        tenantSettingsAggregate,
        (state) => {
          const decision = decide(state, at);
          return 'code' in decision ? err(decision) : ok(decision);
        },
      ),
    );
};

export const listCategories = (deps: Deps) => (actor: Actor, includeRetired: boolean) =>
  member(deps, actor).map(() => deps.readModels.categories(actor.tenant).filter((c) => includeRetired || !c.retired));

export const createCategory = (deps: Deps) => (actor: Actor, designation: string) => {
  const categoryId = deps.ids.newId();
  return changeTenantSettings<Category>(deps, actor, (state, at) =>
    decideCreate(state, { actorId: actor.userId, at, categoryId, designation }).match(
      (events) => ({ events, value: { id: categoryId, designation: (events[0]?.data as { designation: string }).designation, retired: false } }),
      (e) => e,
    ),
  );
};

export const renameCategory = (deps: Deps) => (actor: Actor, categoryId: string, designation: string) =>
  changeTenantSettings<Category>(deps, actor, (state, at) =>
    decideRename(state, { actorId: actor.userId, at, categoryId, designation }).match(
      (events) => ({ events, value: evolveAll(state, events).categories.get(categoryId)! }),
      (e) => e,
    ),
  );

export const retireCategory = (deps: Deps) => (actor: Actor, categoryId: string) =>
  changeTenantSettings<null>(deps, actor, (state, at) =>
    decideRetire(state, { actorId: actor.userId, at, categoryId }).match(
      (events) => ({ events, value: null }),
      (e) => e,
    ),
  );

const evolveAll = (state: TenantSettings, events: TenantSettingsEvent[]) => events.reduce(evolveTenantSettings, state);
