import type { ResultAsync } from 'neverthrow';
import { async, currentYear, maxDocumentBytes, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { settingsCommand } from './manage-categories.js';

export type SettingsView = { maxDocumentBytes: number; currentYear: string };

export const getSettings = (deps: Deps) => (actor: Actor): ResultAsync<SettingsView, UseCaseError> =>
  async(withPermission(deps, actor, 'locker.admin')).map(() => ({ maxDocumentBytes: maxDocumentBytes(deps, actor.tenant), currentYear: currentYear(deps, actor.tenant) }));

export const updateSettings =
  (deps: Deps) =>
  (actor: Actor, patch: { maxDocumentBytes?: number | undefined; currentYear?: string | undefined }): ResultAsync<SettingsView, UseCaseError> =>
    settingsCommand(deps, actor, { type: 'ChangeSettings', actorId: actor.userId, at: deps.clock.now(), ...patch }).andThen(() => getSettings(deps)(actor));
