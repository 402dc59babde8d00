import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, DomainEvent } from '../shared/decider.js';
import { hasLocker } from '../shared/permissions.js';
import type { Directory } from './directory.js';

export type DirectorySynced = DomainEvent<'DirectorySynced', Directory>;
export type DirectoryEvent = DirectorySynced;

export type DirectoryProblem = { readonly path: string; readonly message: string };
export type DirectoryError = { readonly code: 'INVALID_DIRECTORY'; readonly problems: readonly DirectoryProblem[] };

export type SyncDirectory = CommandContext & { readonly directory: Directory };

const duplicates = (ids: readonly string[]): string[] =>
  [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

/** A directory is accepted whole or not at all: every reference in it must resolve. */
export const syncDirectory = (command: SyncDirectory): Result<DirectoryEvent[], DirectoryError> => {
  const { profiles, users, classes } = command.directory;
  const problems: DirectoryProblem[] = [];
  for (const id of duplicates(profiles.map((p) => p.id))) problems.push({ path: 'profiles', message: `duplicate profile id ${id}` });
  for (const id of duplicates(users.map((u) => u.id))) problems.push({ path: 'users', message: `duplicate user id ${id}` });
  for (const id of duplicates(classes.map((c) => c.id))) problems.push({ path: 'classes', message: `duplicate class id ${id}` });

  const profileIds = new Set(profiles.map((p) => p.id));
  const byId = new Map(users.map((u) => [u.id, u]));
  users.forEach((u, i) => {
    for (const p of u.profiles) {
      if (!profileIds.has(p)) problems.push({ path: `users[${i}].profiles`, message: `user ${u.id} refers to unknown profile ${p}` });
    }
  });
  classes.forEach((c, i) => {
    for (const t of c.teacherIds) {
      const teacher = byId.get(t);
      if (!teacher) problems.push({ path: `classes[${i}].teacherIds`, message: `class ${c.id} refers to unknown user ${t}` });
      else if (!hasLocker(teacher.kind)) problems.push({ path: `classes[${i}].teacherIds`, message: `class ${c.id} lists student ${t} in its teaching team` });
    }
  });
  if (problems.length > 0) return err({ code: 'INVALID_DIRECTORY', problems });
  return ok([{ type: 'DirectorySynced', data: command.directory, actor: command.actorId, at: command.at }]);
};
