import type { ResultAsync } from 'neverthrow';
import { setMaxDocumentSize } from '../domain/index.js';
import { currentYear, maxDocumentBytes, withPermission } from './access.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { changeTenantSettings } from './manage-categories.js';

export type SettingsView = { maxDocumentBytes: number; currentYear: string };

export const getSettings = (deps: Deps) => (actor: Actor) =>
  withPermission(deps, actor, 'locker.admin').map(
    (): SettingsView => ({ maxDocumentBytes: maxDocumentBytes(deps, actor.tenant), currentYear: currentYear(deps, actor.tenant) }),
  );

export const updateSettings =
  (deps: Deps) =>
  (actor: Actor, patch: { maxDocumentBytes?: number | undefined }): ResultAsync<SettingsView, UseCaseError> =>
    changeTenantSettings<null>(deps, actor, (state, at) =>
      patch.maxDocumentBytes === undefined
        ? { events: [], value: null }
        : setMaxDocumentSize(state, { actorId: actor.userId, at, maxDocumentBytes: patch.maxDocumentBytes }).match(
            (events) => ({ events, value: null }),
            (e) => e,
          ),
    ).andThen(() => getSettings(deps)(actor));
