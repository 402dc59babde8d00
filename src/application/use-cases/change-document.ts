import type { ResultAsync } from 'neverthrow';
import { documentDecider } from '../../domain/index.js';
import { async, currentYear, documentView, lockerHolder, tenantSettingsOf } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { handle } from '../handle-command.js';
import type { DocumentView } from '../ports/read-models.js';

export type DocumentPatch = { readonly categoryId?: string | undefined; readonly memo?: string | null | undefined };

/** Category and memo from the distribution view; both in one decision, so the change is all or nothing. */
export const changeDocument =
  (deps: Deps) =>
  (actor: Actor, documentId: string, patch: DocumentPatch): ResultAsync<DocumentView, UseCaseError> =>
    async(lockerHolder(deps, actor))
      .andThen(() =>
        handle(deps, documentDecider, actor.tenant, deps.streams.document(actor.tenant, documentId), {
          type: 'ChangeDetails',
          actorId: actor.userId,
          at: deps.clock.now(),
          documentId,
          currentYear: currentYear(deps, actor.tenant),
          settings: tenantSettingsOf(deps, actor.tenant),
          categoryId: patch.categoryId,
          memo: patch.memo,
        }),
      )
      .andThen(() => documentView(deps, actor.tenant, documentId));
