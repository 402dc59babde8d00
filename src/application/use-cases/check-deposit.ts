import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { mayDeposit, previewRecipients, usableCategory, type RefusedRecipient } from '../../domain/index.js';
import { fromResult, lockerHolder, maxDocumentBytes, tenantSettingsOf } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp } from '../handle-command.js';
import type { DepositMeta } from './deposit-document.js';

export type DepositPreview = {
  readonly recipients: { id: string; displayName: string; via: string[] }[];
  readonly refused: RefusedRecipient[];
  readonly category: 'usable' | 'not-found' | 'retired';
  readonly maxDocumentBytes: number;
  /** Whether this deposit would be accepted, bytes aside. */
  readonly acceptable: boolean;
};

/** The pre-send check: who a deposit would reach and through what, who not and why, the size limit. Nothing is written. */
export const checkDeposit =
  (deps: Deps) =>
  (actor: Actor, meta: DepositMeta): ResultAsync<DepositPreview, UseCaseError> =>
    catchUp(deps.projector)
      .andThen(() => fromResult(lockerHolder(deps, actor)))
      .andThen(() => {
        const directory = deps.readModels.directoryView(actor.tenant);
        if (!mayDeposit(directory, actor.userId)) return errAsync<DepositPreview, UseCaseError>({ code: 'NOT_ALLOWED_TO_DEPOSIT', userId: actor.userId });
        const preview = previewRecipients(directory, meta.recipients, actor.userId);
        const category = usableCategory(tenantSettingsOf(deps, actor.tenant), meta.categoryId).match(
          () => 'usable' as const,
          (e) => (e.code === 'CATEGORY_RETIRED' ? ('retired' as const) : ('not-found' as const)),
        );
        return okAsync({
          recipients: preview.recipients.map((r) => ({ ...r, displayName: directory.user(r.id)?.displayName ?? r.id })),
          refused: preview.refused,
          category,
          maxDocumentBytes: maxDocumentBytes(deps, actor.tenant),
          acceptable: preview.refused.length === 0 && preview.recipients.length > 0 && category === 'usable',
        });
      });
