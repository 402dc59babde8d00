import type { ResultAsync } from 'neverthrow';
import type { NotificationSettings } from '../../domain/index.js';
import { async, currentYear, maxDocumentBytes, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { settingsCommand } from './manage-categories.js';

export type SettingsView = { maxDocumentBytes: number; currentYear: string; notifications: NotificationSettings };

export const getSettings = (deps: Deps) => (actor: Actor): ResultAsync<SettingsView, UseCaseError> =>
  async(withPermission(deps, actor, 'locker.admin')).map(() => ({
    maxDocumentBytes: maxDocumentBytes(deps, actor.tenant),
    currentYear: currentYear(deps, actor.tenant),
    notifications: deps.readModels.notificationSettings(actor.tenant),
  }));

export const updateSettings =
  (deps: Deps) =>
  (
    actor: Actor,
    patch: { maxDocumentBytes?: number | undefined; currentYear?: string | undefined; notifications?: Partial<NotificationSettings> | undefined },
  ): ResultAsync<SettingsView, UseCaseError> =>
    settingsCommand(deps, actor, { type: 'ChangeSettings', actorId: actor.userId, at: deps.clock.now(), ...patch }).andThen(() => getSettings(deps)(actor));
