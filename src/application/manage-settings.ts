import { ok, type ResultAsync } from 'neverthrow';
import { setCurrentYear, setMaxDocumentSize, type TenantSettingsEvent } from '../domain/index.js';
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
  (actor: Actor, patch: { maxDocumentBytes?: number | undefined; currentYear?: string | undefined }): ResultAsync<SettingsView, UseCaseError> =>
    changeTenantSettings<null>(deps, actor, (state, at) => {
      const bySize = patch.maxDocumentBytes === undefined ? ok<TenantSettingsEvent[]>([]) : setMaxDocumentSize(state, { actorId: actor.userId, at, maxDocumentBytes: patch.maxDocumentBytes });
      const byYear = patch.currentYear === undefined ? ok<TenantSettingsEvent[]>([]) : setCurrentYear(state, { actorId: actor.userId, at, year: patch.currentYear });
      // Both changes or neither: one append.
      return bySize.andThen((a) => byYear.map((b) => [...a, ...b])).match(
        (events) => ({ events, value: null }),
        (e) => e,
      );
    }).andThen(() => getSettings(deps)(actor));
