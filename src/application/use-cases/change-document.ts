import type { ResultAsync } from 'neverthrow';
import { tenantSettingsOf } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { documentCommandView } from '../document-command.js';
import type { UseCaseError } from '../errors.js';
import type { DocumentView } from '../ports/read-models.js';

export type DocumentPatch = {
  readonly categoryId?: string | undefined;
  readonly memo?: string | null | undefined;
  readonly recipientsMayEdit?: boolean | undefined;
  readonly acknowledgement?: { readonly required: boolean; readonly dueAt?: string | null | undefined } | undefined;
};

/** Category and memo from the distribution view; both in one decision, so the change is all or nothing. */
export const changeDocument =
  (deps: Deps) =>
  (actor: Actor, documentId: string, patch: DocumentPatch): ResultAsync<DocumentView, UseCaseError> =>
    documentCommandView(deps, actor, documentId, (by) => ({
      type: 'ChangeDetails',
      ...by,
      settings: tenantSettingsOf(deps, actor.tenant),
      categoryId: patch.categoryId,
      memo: patch.memo,
      recipientsMayEdit: patch.recipientsMayEdit,
      acknowledgement: patch.acknowledgement,
    }));
