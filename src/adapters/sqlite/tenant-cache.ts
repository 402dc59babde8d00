import type Database from 'better-sqlite3';

/**
 * What the caches of one connection know of the tenants' versions:
 * - `seen`: `tenant_versions` as read this turn of the event loop (a request asks two or three
 *   cached answers, and each read is a statement);
 * - `own`: the version this connection's own projection last moved each tenant to;
 * - `stamps`: per tenant, a counter for what every answer reads (the directory, settings,
 *   categories: `shared`) and one per reader for what only their answers read (their locker).
 * A projection on this connection moves the stamps its events touch (`moved`); a version this
 * connection did not write (the CLI beside the server, a rebuild's thread) moves every stamp of
 * the tenant, since nobody told it what changed.
 */
type Stamps = { shared: number; readers: Map<string, number> };
type Versions = {
  read: Database.Statement<[string], { position: string }>;
  seen: Map<string, string | undefined>;
  expiring: boolean;
  own: Map<string, string | undefined>;
  stamps: Map<string, Stamps>;
};
const versionsOf = new WeakMap<Database.Database, Versions>();

const versions = (db: Database.Database): Versions => {
  let v = versionsOf.get(db);
  if (!v) versionsOf.set(db, (v = { read: db.prepare('SELECT position FROM tenant_versions WHERE tenant = ?'), seen: new Map(), expiring: false, own: new Map(), stamps: new Map() }));
  return v;
};

const stampsOf = (v: Versions, tenant: string): Stamps => {
  let s = v.stamps.get(tenant);
  if (!s) v.stamps.set(tenant, (s = { shared: 0, readers: new Map() }));
  return s;
};

/**
 * The tenant's version, read once per turn: a projection on this connection forgets it at once
 * (`tenantsMoved`), so a command's next query sees its effect; one by another process is seen from
 * the next turn, as if the request had come a moment earlier.
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
  if (position !== v.own.get(tenant)) {
    // Moved by someone who did not say what: every answer of the tenant is read again.
    v.own.set(tenant, position);
    const s = stampsOf(v, tenant);
    s.shared += 1;
    s.readers.clear();
  }
  return position;
};

/** The tenant's last projected position, as the caches see it (once per turn, at once after this connection projects). */
export const tenantPosition = (db: Database.Database, tenant: string): bigint => BigInt(versionOf(db, tenant) ?? 0);

/** Called after each transaction on `db` (or one by its rebuild thread): the versions it may have moved are read again. */
export const tenantsMoved = (db: Database.Database): void => versionsOf.get(db)?.seen.clear();

/** Whether any cache reads through this connection: a connection nobody asks (a rebuild's thread) needs no stamps moved. */
export const cachesRead = (db: Database.Database): boolean => versionsOf.has(db);

/** This connection's projection touched what every answer of the tenant reads (`shared`), or only what these readers' answers read. */
export const touched = (db: Database.Database, tenant: string, what: { shared: true } | { readers: Iterable<string> }): void => {
  const v = versionsOf.get(db);
  if (!v) return;
  const s = stampsOf(v, tenant);
  if ('shared' in what) s.shared += 1;
  else for (const reader of what.readers) s.readers.set(reader, (s.readers.get(reader) ?? 0) + 1);
};

/**
 * This connection's projection moves the tenant's version from `before` (as stored) to `after`:
 * if `before` is not where this connection left it, someone else projected in between without
 * saying what, and every answer of the tenant is read again.
 */
export const settled = (db: Database.Database, tenant: string, before: string | undefined, after: string): void => {
  const v = versionsOf.get(db);
  if (!v) return;
  if (before !== v.own.get(tenant)) {
    const s = stampsOf(v, tenant);
    s.shared += 1;
    s.readers.clear();
  }
  v.own.set(tenant, after);
};

/**
 * Answers about a tenant, kept while nothing they read has been projected since: answers of one
 * reader (`reader`) are kept across writes that concern other readers only. Answers are shared
 * with every caller, who only read them. Bounded: past `max` entries the cache starts again.
 */
export const tenantCache = <T>(db: Database.Database, max: number) => {
  const answers = new Map<string, { stamp: string; value: T }>();
  return (tenant: string, key: string, compute: () => T, reader?: string): T => {
    versionOf(db, tenant);
    const s = stampsOf(versions(db), tenant);
    // The stamp is read before the rows: an answer kept under a stamp older than the rows it saw
    // only costs a recomputation later.
    const stamp = reader === undefined ? `${s.shared}` : `${s.shared}:${s.readers.get(reader) ?? 0}`;
    const full = `${tenant}\u0000${key}`;
    const cached = answers.get(full);
    if (cached && cached.stamp === stamp) return cached.value;
    const value = compute();
    if (answers.size >= max) answers.clear();
    answers.set(full, { stamp, value });
    return value;
  };
};
