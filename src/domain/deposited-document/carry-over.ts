import { err, ok, type Result } from 'neverthrow';
import type { DirectoryView } from '../directory/directory.js';
import type { CommandContext } from '../shared/decider.js';
import { hasLocker } from '../shared/permissions.js';
import { latest, type DocumentState } from './document.js';
import type { DocumentCarriedOver } from './events.js';

export type CarrySkipReason = 'deleted' | 'category-excluded' | 'depositor-left' | 'no-recipient-left';

export type CarryOver = CommandContext & {
  readonly newDocumentId: string;
  readonly toYear: string;
  readonly directory: DirectoryView;
  /** Only these categories are carried, when given. */
  readonly categories?: ReadonlySet<string> | undefined;
  /** Recipients who removed the document from their own locker during the year. */
  readonly removedBy?: ReadonlySet<string> | undefined;
};

const staff = (directory: DirectoryView, userId: string) => {
  const user = directory.user(userId);
  return user !== undefined && hasLocker(user.kind);
};

/**
 * What the rollover does with one document of the closed year, decided on its replayed state and
 * today's directory: carried with whoever is still there, or skipped with the reason.
 */
export const carryOver = (source: DocumentState, cmd: CarryOver): Result<DocumentCarriedOver, { reason: CarrySkipReason }> => {
  if (source.status !== 'live') return err({ reason: 'deleted' });
  if (cmd.categories && !cmd.categories.has(source.categoryId)) return err({ reason: 'category-excluded' });
  if (!staff(cmd.directory, source.depositorId)) return err({ reason: 'depositor-left' });
  const all = [...source.recipients];
  const kept = all.filter((id) => staff(cmd.directory, id) && !cmd.removedBy?.has(id) && id !== source.depositorId);
  if (kept.length === 0) return err({ reason: 'no-recipient-left' });
  const content = latest(source);
  return ok({
    type: 'DocumentCarriedOver',
    data: {
      documentId: cmd.newDocumentId,
      year: cmd.toYear,
      sourceDocumentId: source.id,
      sourceYear: source.year,
      depositorId: source.depositorId,
      title: source.title,
      categoryId: source.categoryId,
      memo: source.memo,
      recipientIds: kept,
      droppedRecipientIds: all.filter((id) => !kept.includes(id)),
      content: { ...content, version: 1 },
    },
    actor: cmd.actorId,
    at: cmd.at,
  });
};
