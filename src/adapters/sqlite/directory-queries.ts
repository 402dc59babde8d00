import type Database from 'better-sqlite3';
import type { Directory, DirectoryUser, DirectoryView, Permission, UserKind } from '../../domain/index.js';
import { tenantCache } from './tenant-cache.js';

type UserRow = { id: string; display_name: string; kind: UserKind; email: string | null; profiles: string; permissions: string };

/** The directory as the read models hold it: one statement per lookup, prepared once. */
export const directoryQueries = (db: Database.Database) => {
  const sql = {
    // A user with the permissions their profiles grant, in one statement.
    user: db.prepare<{ tenant: string; id: string }, UserRow>(
      `SELECT u.*, (SELECT json_group_array(DISTINCT perm.value ORDER BY perm.value)
                      FROM json_each(u.profiles) j
                      JOIN profiles p ON p.tenant = u.tenant AND p.id = j.value, json_each(p.permissions) perm) AS permissions
       FROM users u WHERE u.tenant = @tenant AND u.id = @id`,
    ),
    // Without the permissions: checking recipients needs who they are, not what they may do.
    person: db.prepare<[string, string], Omit<UserRow, 'permissions'>>('SELECT id, display_name, kind, email, profiles FROM users WHERE tenant = ? AND id = ?'),
    schoolClass: db.prepare<[string, string], { id: string; name: string; teacher_ids: string }>('SELECT id, name, teacher_ids FROM classes WHERE tenant = ? AND id = ?'),
    // Group members by kind: the groups' definition (`inGroup`) in SQL, so no directory is loaded.
    membersOf: db.prepare<[string, string], { id: string }>(
      `SELECT id FROM users WHERE tenant = ? AND CASE ? WHEN 'all-staff' THEN kind <> 'student' WHEN 'teachers' THEN kind = 'teacher'
         WHEN 'staff' THEN kind = 'staff' WHEN 'counselors' THEN kind = 'counselor' ELSE 0 END ORDER BY id`,
    ),
    users: db.prepare<[string], { id: string; display_name: string; kind: UserKind; email: string | null; profiles: string }>('SELECT * FROM users WHERE tenant = ? ORDER BY id'),
    classes: db.prepare<[string], { id: string; name: string; teacher_ids: string }>('SELECT id, name, teacher_ids FROM classes WHERE tenant = ? ORDER BY id'),
    lockerHolders: db.prepare<[string], { user_id: string }>('SELECT user_id FROM lockers WHERE tenant = ? AND open = 1 ORDER BY user_id'),
  };

  /** Members with their permissions: every request asks who its caller is, and permissions are a join over JSON arrays. */
  const members = tenantCache<(DirectoryUser & { permissions: string[] }) | undefined>(db, 20_000);
  /** People as the rules see them (no permissions): every locker request checks its caller holds one. */
  const persons = tenantCache<DirectoryUser | undefined>(db, 20_000);
  const user = (tenant: string, id: string): (DirectoryUser & { permissions: string[] }) | undefined => members(tenant, id, () => readUser(tenant, id));
  const readUser = (tenant: string, id: string): (DirectoryUser & { permissions: string[] }) | undefined => {
    const row = sql.user.get({ tenant, id });
    if (!row) return undefined;
    return {
      id: row.id,
      displayName: row.display_name,
      kind: row.kind,
      email: row.email ?? undefined,
      profiles: JSON.parse(row.profiles),
      permissions: JSON.parse(row.permissions),
    };
  };

  return {
    user,
    // A view lives for one decision: each person is read once however often the rules ask.
    directoryView: (tenant: string): DirectoryView => {
      const people = new Map<string, DirectoryUser | undefined>();
      return {
        user: (id) => {
          if (people.has(id)) return people.get(id);
          const found = persons(tenant, id, () => {
            const row = sql.person.get(tenant, id);
            return row ? { id: row.id, displayName: row.display_name, kind: row.kind, email: row.email ?? undefined, profiles: JSON.parse(row.profiles) as string[] } : undefined;
          });
          people.set(id, found);
          return found;
        },
        schoolClass: (id) => {
          const row = sql.schoolClass.get(tenant, id);
          return row ? { id: row.id, name: row.name, teacherIds: JSON.parse(row.teacher_ids) } : undefined;
        },
        permissionsOf: (userId) => new Set((user(tenant, userId)?.permissions ?? []) as Permission[]),
        membersOf: (group) => sql.membersOf.all(tenant, group).map((r) => r.id),
      };
    },
    /** Users and classes as last synced (profiles aside): what a new directory is compared with. */
    directoryPeople: (tenant: string): Pick<Directory, 'users' | 'classes'> => ({
      users: sql.users.all(tenant).map((r) => ({ id: r.id, displayName: r.display_name, kind: r.kind, email: r.email ?? undefined, profiles: JSON.parse(r.profiles) })),
      classes: sql.classes.all(tenant).map((r) => ({ id: r.id, name: r.name, teacherIds: JSON.parse(r.teacher_ids) })),
    }),
    lockerHolders: (tenant: string): string[] => sql.lockerHolders.all(tenant).map((r) => r.user_id),
  };
};
