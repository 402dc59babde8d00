import type Database from 'better-sqlite3';
import type { Directory } from '../../domain/index.js';
import { handles, type Projection } from './projection.js';

/** The directory as last synced (profiles, users, classes), who left it and when, and who holds an open locker. */
export const directoryProjection = (db: Database.Database): Projection => {
  const sql = {
    clearDirectory: ['profiles', 'users', 'classes'].map((t) => db.prepare(`DELETE FROM ${t} WHERE tenant = ?`)),
    profile: db.prepare('INSERT INTO profiles VALUES (?, ?, ?, ?)'),
    user: db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)'),
    schoolClass: db.prepare('INSERT INTO classes VALUES (?, ?, ?, ?)'),
    userIds: db.prepare<[string], { id: string }>('SELECT id FROM users WHERE tenant = ?'),
    departed: db.prepare('INSERT OR IGNORE INTO departed VALUES (?, ?, ?)'),
    returned: db.prepare('DELETE FROM departed WHERE tenant = ? AND user_id = ?'),
    stagePart: [db.prepare('DELETE FROM directory_staging WHERE tenant = ? AND sync_id <> ?'), db.prepare('INSERT OR REPLACE INTO directory_staging VALUES (?, ?, ?, ?)')] as const,
    stagedParts: db.prepare<[string, string], { data: string }>('SELECT data FROM directory_staging WHERE tenant = ? AND sync_id = ? ORDER BY part'),
    unstage: db.prepare('DELETE FROM directory_staging WHERE tenant = ?'),
    locker: db.prepare('INSERT INTO lockers VALUES (?, ?, ?) ON CONFLICT (tenant, user_id) DO UPDATE SET open = excluded.open'),
  };

  /** The directory rows replaced by a new directory; who left it is noted, with the day. */
  const replaceDirectory = (tenant: string, directory: Directory, at: string): void => {
    const before = new Set(sql.userIds.all(tenant).map((r) => r.id));
    const after = new Set(directory.users.map((u) => u.id));
    for (const id of before) if (!after.has(id)) sql.departed.run(tenant, id, at);
    for (const id of after) sql.returned.run(tenant, id);
    for (const clear of sql.clearDirectory) clear.run(tenant);
    for (const p of directory.profiles) sql.profile.run(tenant, p.id, p.name, JSON.stringify(p.permissions));
    for (const u of directory.users) sql.user.run(tenant, u.id, u.displayName, u.kind, u.email ?? null, JSON.stringify(u.profiles));
    for (const c of directory.classes) sql.schoolClass.run(tenant, c.id, c.name, JSON.stringify(c.teacherIds));
  };

  return {
    canHandle: handles('DirectorySynced', 'DirectoryPartStaged', 'DirectoryCommitted', 'LockerOpened', 'LockerClosed'),
    apply: ({ event, tenant }) => {
      switch (event.type) {
        case 'DirectorySynced':
          return replaceDirectory(tenant, event.data, event.at);
        case 'DirectoryPartStaged': {
          // A large directory comes in parts (ADR 44): each is kept aside until the commit.
          const { syncId, part, profiles, users, classes } = event.data;
          sql.stagePart[0].run(tenant, syncId);
          sql.stagePart[1].run(tenant, syncId, part, JSON.stringify({ profiles, users, classes }));
          return;
        }
        case 'DirectoryCommitted': {
          const parts = sql.stagedParts.all(tenant, event.data.syncId).map((r) => JSON.parse(r.data) as Directory);
          sql.unstage.run(tenant);
          return replaceDirectory(tenant, { profiles: parts.flatMap((p) => p.profiles), users: parts.flatMap((p) => p.users), classes: parts.flatMap((p) => p.classes) }, event.at);
        }
        case 'LockerOpened':
        case 'LockerClosed':
          sql.locker.run(tenant, event.data.userId, event.type === 'LockerOpened' ? 1 : 0);
          return;
      }
    },
  };
};
