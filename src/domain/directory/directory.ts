import type { Permission, UserKind } from '../shared/permissions.js';
import { hasLocker } from '../shared/permissions.js';
import { inGroup, type Group } from './groups.js';

export type Profile = { readonly id: string; readonly name: string; readonly permissions: readonly Permission[] };
export type DirectoryUser = {
  readonly id: string;
  readonly displayName: string;
  readonly kind: UserKind;
  readonly email?: string | undefined;
  readonly profiles: readonly string[];
};
export type SchoolClass = { readonly id: string; readonly name: string; readonly teacherIds: readonly string[] };

export type Directory = {
  readonly profiles: readonly Profile[];
  readonly users: readonly DirectoryUser[];
  readonly classes: readonly SchoolClass[];
};

/**
 * The slice of the directory a decision needs. Use cases hand the domain lookups rather than the
 * whole directory so that a school of thousands of students does not have to be loaded per request.
 */
export type DirectoryView = {
  readonly user: (id: string) => DirectoryUser | undefined;
  readonly schoolClass: (id: string) => SchoolClass | undefined;
  readonly permissionsOf: (userId: string) => ReadonlySet<Permission>;
  /** Everyone a group stands for now (locker holders only, by its definition). */
  readonly membersOf: (group: Group) => readonly string[];
};

export const viewOf = (directory: Directory): DirectoryView => {
  const users = new Map(directory.users.map((u) => [u.id, u]));
  const classes = new Map(directory.classes.map((c) => [c.id, c]));
  const profiles = new Map(directory.profiles.map((p) => [p.id, p]));
  return {
    user: (id) => users.get(id),
    schoolClass: (id) => classes.get(id),
    permissionsOf: (userId) =>
      new Set((users.get(userId)?.profiles ?? []).flatMap((p) => profiles.get(p)?.permissions ?? [])),
    membersOf: (group) => directory.users.filter((u) => inGroup(u.kind, group)).map((u) => u.id),
  };
};

/** The one standing rule: someone holds a locker while they are in the directory and not a student. */
export const holdsLocker = (directory: DirectoryView, userId: string): boolean => {
  const user = directory.user(userId);
  return user !== undefined && hasLocker(user.kind);
};
