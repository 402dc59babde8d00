import type Database from 'better-sqlite3';

/**
 * Answers about a tenant, kept while nothing of that tenant has been projected since
 * (`tenant_versions`, moved in the projection's own transaction by whichever process projects,
 * the server or the CLI beside it). A lookup costs one primary-key read; answers are shared with
 * every caller, who only read them. Bounded: past `max` entries the cache starts again.
 */
export const tenantCache = <T>(db: Database.Database, max: number) => {
  const versionOf = db.prepare<[string], { position: string }>('SELECT position FROM tenant_versions WHERE tenant = ?');
  const answers = new Map<string, { version: string | undefined; value: T }>();
  return (tenant: string, key: string, compute: () => T): T => {
    // The version is read before the rows: an answer may be kept under a version older than the
    // rows it saw (another process projected in between), which only costs a recomputation later.
    const version = versionOf.get(tenant)?.position;
    const full = `${tenant}\u0000${key}`;
    const cached = answers.get(full);
    if (cached && cached.version === version) return cached.value;
    const value = compute();
    if (answers.size >= max) answers.clear();
    answers.set(full, { version, value });
    return value;
  };
};
