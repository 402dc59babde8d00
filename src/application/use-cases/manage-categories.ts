import type { ResultAsync } from 'neverthrow';
import { tenantSettingsDecider, type Category, type TenantSettings, type TenantSettingsCommand } from '../../domain/index.js';
import { fromResult, member, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { notFound, type UseCaseError } from '../errors.js';
import { handle, type Handled } from '../handle-command.js';

/** An admin's command on the tenant's settings stream: categories, limits, current year. */
export const settingsCommand = (deps: Deps, actor: Actor, command: TenantSettingsCommand): ResultAsync<Handled<TenantSettings, unknown>, UseCaseError> =>
  fromResult(withPermission(deps, actor, 'locker.admin')).andThen(() =>
    handle(deps, tenantSettingsDecider, actor.tenant, deps.streams.settings(actor.tenant), command),
  );

export const listCategories = (deps: Deps) => (actor: Actor, includeRetired: boolean): ResultAsync<Category[], UseCaseError> =>
  fromResult(member(deps, actor)).map(() => deps.readModels.categories(actor.tenant).filter((c) => includeRetired || !c.retired));

const by = (deps: Deps, actor: Actor) => ({ actorId: actor.userId, at: deps.clock.now() });

// After a successful create or rename the category is in the new state: the decision put it there.
export const createCategory = (deps: Deps) => (actor: Actor, designation: string): ResultAsync<Category, UseCaseError> => {
  const categoryId = deps.ids.newId();
  return settingsCommand(deps, actor, { type: 'CreateCategory', ...by(deps, actor), categoryId, designation }).map((o) => o.state.categories.get(categoryId)!);
};

/** Here the category is the resource itself: one that does not exist is not found, not a rule refusing it. */
const categoryIsTheResource = (e: UseCaseError): UseCaseError => (e.code === 'CATEGORY_NOT_FOUND' ? notFound('category') : e);

export const renameCategory = (deps: Deps) => (actor: Actor, categoryId: string, designation: string): ResultAsync<Category, UseCaseError> =>
  settingsCommand(deps, actor, { type: 'RenameCategory', ...by(deps, actor), categoryId, designation })
    .map((o) => o.state.categories.get(categoryId)!)
    .mapErr(categoryIsTheResource);

export const retireCategory = (deps: Deps) => (actor: Actor, categoryId: string): ResultAsync<null, UseCaseError> =>
  settingsCommand(deps, actor, { type: 'RetireCategory', ...by(deps, actor), categoryId })
    .map(() => null)
    .mapErr(categoryIsTheResource);
