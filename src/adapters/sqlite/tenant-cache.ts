import type Database from 'better-sqlite3';

type Versions = { read: Database.Statement<[string], { position: string }>; seen: Map<string, string | undefined>; expiring: boolean };
const versionsOf = new WeakMap<Database.Database, Versions>();

const versions = (db: Database.Database): Versions => {
  let v = versionsOf.get(db);
  if (!v) versionsOf.set(db, (v = { read: db.prepare('SELECT position FROM tenant_versions WHERE tenant = ?'), seen: new Map(), expiring: false }));
  return v;
};

/**
 * The tenant's version (`tenant_versions`), read once per turn of the event loop: a request asks
 * two or three cached answers, and each read is a statement. A projection on this connection
 * forgets the versions at once (`tenantsMoved`), so a command's next query sees its effect; one by
 * another process (the CLI beside the server) is seen from the next turn, as if the request had
 * come a moment earlier.
 */
const versionOf = (db: Database.Database, tenant: string): string | undefined => {
  const v = versions(db);
  if (v.seen.has(tenant)) return v.seen.get(tenant);
  const position = v.read.get(tenant)?.position;
  v.seen.set(tenant, position);
  if (!v.expiring) {
    v.expiring = true;
    setImmediate(() => {
      v.seen.clear();
      v.expiring = false;
    });
  }
  return position;
};

/** The tenant's last projected position, as the caches see it (once per turn, at once after this connection projects). */
export const tenantPosition = (db: Database.Database, tenant: string): bigint => BigInt(versionOf(db, tenant) ?? 0);

/** Called by the projection after each transaction on `db`: the versions it may have moved are read again. */
export const tenantsMoved = (db: Database.Database): void => versionsOf.get(db)?.seen.clear();

/**
 * Answers about a tenant, kept while nothing of that tenant has been projected since
 * (`tenant_versions`, moved in the projection's own transaction by whichever process projects,
 * the server or the CLI beside it). Answers are shared with every caller, who only read them.
 * Bounded: past `max` entries the cache starts again.
 */
export const tenantCache = <T>(db: Database.Database, max: number) => {
  const answers = new Map<string, { version: string | undefined; value: T }>();
  return (tenant: string, key: string, compute: () => T): T => {
    // The version is read before the rows: an answer may be kept under a version older than the
    // rows it saw (another process projected in between), which only costs a recomputation later.
    const version = versionOf(db, tenant);
    const full = `${tenant}\u0000${key}`;
    const cached = answers.get(full);
    if (cached && cached.version === version) return cached.value;
    const value = compute();
    if (answers.size >= max) answers.clear();
    answers.set(full, { version, value });
    return value;
  };
};
