import { err, ok, type Result } from 'neverthrow';
import type { DirectoryView } from '../directory/directory.js';
import { holdsLocker } from '../directory/directory.js';
import { classTarget, groupTarget, inGroup, type Group, type Target } from '../directory/groups.js';
import type { DocumentError, RefusedRecipient } from './errors.js';
import type { ClassRecipient } from './events.js';

export type RecipientChoice = { readonly users: readonly string[]; readonly classes: readonly string[]; readonly groups?: readonly Group[] | undefined };

/**
 * Who a choice reaches now, and how it is addressed: the people named one by one, and the classes
 * and groups, which are followed as the directory changes.
 */
export type ResolvedRecipients = {
  readonly recipientIds: string[];
  readonly named: string[];
  readonly classes: ClassRecipient[];
  readonly groups: Group[];
};

export type Addressed = { readonly id: string; readonly via: string[] };

/**
 * Who a choice of recipients reaches and through what (`user`, `class:4B`, `group:teachers`), and
 * who it cannot reach and why: the same rules as a deposit, all of them reported instead of the
 * first refusal.
 */
export const previewRecipients = (
  directory: DirectoryView,
  choice: RecipientChoice,
  depositorId: string,
): { readonly recipients: Addressed[]; readonly refused: RefusedRecipient[] } & Omit<ResolvedRecipients, 'recipientIds'> => {
  const via = new Map<string, string[]>();
  const reach = (id: string, how: string) => {
    if (id === depositorId) return;
    via.set(id, [...(via.get(id) ?? []), how]);
  };
  const refused: RefusedRecipient[] = [];
  const classes: ClassRecipient[] = [];
  const named: string[] = [];
  const groups: Group[] = [];
  for (const id of new Set(choice.users)) {
    if (!directory.user(id)) refused.push({ kind: 'user', id, reason: 'unknown' });
    else if (!holdsLocker(directory, id)) refused.push({ kind: 'user', id, reason: 'student' });
    else {
      reach(id, 'user');
      if (id !== depositorId) named.push(id);
    }
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
  for (const group of new Set(choice.groups ?? [])) {
    const members = directory.membersOf(group).filter((m) => m !== depositorId);
    if (members.length === 0) refused.push({ kind: 'group', id: group, reason: 'no-members' });
    groups.push(group);
    for (const m of members) reach(m, `group:${group}`);
  }
  return { recipients: [...via].map(([id, ways]) => ({ id, via: ways })), refused, classes, named, groups };
};

/**
 * Users must hold a locker; a class stands for its teaching team and a group for its members, as
 * the directory has them now. The depositor is never their own recipient: they see the document
 * in their distribution.
 */
export const resolveRecipients = (
  directory: DirectoryView,
  choice: RecipientChoice,
  depositorId: string,
): Result<ResolvedRecipients, DocumentError> => {
  const { recipients, refused, classes, named, groups } = previewRecipients(directory, choice, depositorId);
  if (refused.length > 0) return err({ code: 'RECIPIENTS_REFUSED', refused });
  return ok({ recipientIds: recipients.map((r) => r.id), named, classes, groups });
};

/** The classes and groups a document is addressed to, as the targets the directory moves name. */
export const targetsOf = (addressed: { readonly classes: readonly ClassRecipient[]; readonly groups: ReadonlySet<Group> | readonly Group[] }): Set<Target> =>
  new Set<Target>([...addressed.classes.map((c) => classTarget(c.classId)), ...[...addressed.groups].map(groupTarget)]);

/** Whether someone is reached now through one of a document's classes or groups. */
export const reachedThrough = (directory: DirectoryView, targets: ReadonlySet<Target>, userId: string): boolean => {
  const user = directory.user(userId);
  if (!user || !holdsLocker(directory, userId)) return false;
  for (const target of targets) {
    if (target.startsWith('class:')) {
      if (directory.schoolClass(target.slice('class:'.length))?.teacherIds.includes(userId)) return true;
    } else if (inGroup(user.kind, target.slice('group:'.length) as Group)) return true;
  }
  return false;
};
