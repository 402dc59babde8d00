import { ok, type ResultAsync } from 'neverthrow';
import { changeCategory, changeMemo, type DocumentEvent } from '../domain/index.js';
import { currentYear, managedDocument, tenantSettingsOf } from './access.js';
import type { Actor, Deps } from './deps.js';
import { currentView, documentCommand } from './document-command.js';
import type { UseCaseError } from './errors.js';
import type { DocumentView } from './ports/read-models.js';

export type DocumentPatch = { readonly categoryId?: string | undefined; readonly memo?: string | null | undefined };

/** Category and memo from the distribution view; both in one append, so the change is all or nothing. */
export const changeDocument =
  (deps: Deps) =>
  (actor: Actor, documentId: string, patch: DocumentPatch): ResultAsync<DocumentView, UseCaseError> =>
    managedDocument(deps, actor, documentId)
      .asyncAndThen(() =>
        documentCommand(deps, actor, documentId, (state, at) => {
          const ctx = { actorId: actor.userId, at, documentId, currentYear: currentYear(deps, actor.tenant) };
          const settings = tenantSettingsOf(deps, actor.tenant);
          const byCategory = patch.categoryId === undefined ? ok<DocumentEvent[]>([]) : changeCategory(state, settings, { ...ctx, categoryId: patch.categoryId });
          const byMemo = patch.memo === undefined ? ok<DocumentEvent[]>([]) : changeMemo(state, { ...ctx, memo: patch.memo });
          return byCategory.andThen((a) => byMemo.map((b) => ({ events: [...a, ...b], value: null })));
        }),
      )
      .andThen(() => currentView(deps, actor, documentId));
