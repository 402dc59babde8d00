import type { ResultAsync } from 'neverthrow';
import type { CloudService, NotificationSettings } from '../../domain/index.js';
import { fromResult, currentYear, maxDocumentBytes, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { settingsCommand } from './manage-categories.js';

export type SettingsView = { maxDocumentBytes: number; currentYear: string; notifications: NotificationSettings; clouds: CloudService[]; erasePeopleAfterDays: number; quarantineRetentionDays: number | null };

export const getSettings = (deps: Deps) => (actor: Actor): ResultAsync<SettingsView, UseCaseError> =>
  fromResult(withPermission(deps, actor, 'locker.admin')).map(() => ({
    maxDocumentBytes: maxDocumentBytes(deps, actor.tenant),
    currentYear: currentYear(deps, actor.tenant),
    notifications: deps.readModels.notificationSettings(actor.tenant),
    clouds: deps.readModels.settings(actor.tenant).clouds,
    erasePeopleAfterDays: deps.readModels.erasePeopleAfterDays(actor.tenant),
    quarantineRetentionDays: deps.readModels.quarantineRetentionDays(actor.tenant),
  }));

export const updateSettings =
  (deps: Deps) =>
  (
    actor: Actor,
    patch: {
      maxDocumentBytes?: number | undefined;
      currentYear?: string | undefined;
      notifications?: Partial<NotificationSettings> | undefined;
      clouds?: CloudService[] | undefined;
      erasePeopleAfterDays?: number | undefined;
      quarantineRetentionDays?: number | null | undefined;
    },
  ): ResultAsync<SettingsView, UseCaseError> =>
    settingsCommand(deps, actor, { type: 'ChangeSettings', actorId: actor.userId, at: deps.clock.now(), ...patch, secretsKeyConfigured: deps.credentials !== null }).andThen(() => getSettings(deps)(actor));
