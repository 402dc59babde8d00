import { err, ok, type Result } from 'neverthrow';
import type { DirectoryView } from '../directory/directory.js';
import { holdsLocker } from '../directory/directory.js';
import type { DocumentError, RefusedRecipient } from './errors.js';
import type { ClassRecipient } from './events.js';

export type RecipientChoice = { readonly users: readonly string[]; readonly classes: readonly string[] };
export type ResolvedRecipients = { readonly recipientIds: string[]; readonly classes: ClassRecipient[] };

export type Addressed = { readonly id: string; readonly via: string[] };

/**
 * Who a choice of recipients reaches and through what (`user`, `class:4B`), and who it cannot
 * reach and why: the same rules as a deposit, all of them reported instead of the first refusal.
 */
export const previewRecipients = (
  directory: DirectoryView,
  choice: RecipientChoice,
  depositorId: string,
): { readonly recipients: Addressed[]; readonly refused: RefusedRecipient[]; readonly classes: ClassRecipient[] } => {
  const via = new Map<string, string[]>();
  const reach = (id: string, how: string) => {
    if (id === depositorId) return;
    via.set(id, [...(via.get(id) ?? []), how]);
  };
  const refused: RefusedRecipient[] = [];
  const classes: ClassRecipient[] = [];
  for (const id of new Set(choice.users)) {
    if (!directory.user(id)) refused.push({ kind: 'user', id, reason: 'unknown' });
    else if (!holdsLocker(directory, id)) refused.push({ kind: 'user', id, reason: 'student' });
    else reach(id, 'user');
  }
  for (const id of new Set(choice.classes)) {
    const schoolClass = directory.schoolClass(id);
    if (!schoolClass) {
      refused.push({ kind: 'class', id, reason: 'unknown' });
      continue;
    }
    const team = schoolClass.teacherIds.filter((t) => holdsLocker(directory, t));
    if (team.length === 0) refused.push({ kind: 'class', id, reason: 'no-teaching-team' });
    classes.push({ classId: id, teacherIds: team });
    for (const t of team) reach(t, `class:${schoolClass.name}`);
  }
  return { recipients: [...via].map(([id, ways]) => ({ id, via: ways })), refused, classes };
};

/**
 * Users must hold a locker; a class stands for its teaching team as the directory has it now.
 * The depositor is never their own recipient: they see the document in their distribution.
 */
export const resolveRecipients = (
  directory: DirectoryView,
  choice: RecipientChoice,
  depositorId: string,
): Result<ResolvedRecipients, DocumentError> => {
  const { recipients, refused, classes } = previewRecipients(directory, choice, depositorId);
  if (refused.length > 0) return err({ code: 'RECIPIENTS_REFUSED', refused });
  return ok({ recipientIds: recipients.map((r) => r.id), classes });
};
