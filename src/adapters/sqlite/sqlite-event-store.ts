import Database from 'better-sqlite3';
import { err, errAsync, ok, okAsync, ResultAsync, type Result } from 'neverthrow';
import type {
  AppendResult,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  ReplayedEvent,
  StoreError,
  StreamAppend,
} from '../../application/ports/event-store.js';
import { canonicalJson, chainHashOfCanonical, GENESIS_HASH } from '../shared/event-chain.js';
import { expectationHolds } from '../shared/expected-version.js';
import type { RawEvent } from '../shared/verify-chains.js';
import { scanByPrefix, type PrefixScanOptions } from './prefix-scan-thread.js';
import { checkpointInBackground, type BackgroundCheckpoints } from './wal-checkpointer.js';
import { documentStreamPrefix, YEAR_START } from '../../application/streams.js';
import type { PrefixFilter } from './prefix-page-reader.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id  TEXT    NOT NULL UNIQUE,
  stream    TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  tenant    TEXT    NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  meta      TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL,
  UNIQUE (stream, revision)
);
-- A tenant's events in order, with their types: a scan for a few types (the rollover's first pass)
-- finds them in the index alone and reads only the rows it returns. It replaces the index on
-- (tenant, position) alone, which a log made before it loses when it is opened.
CREATE INDEX IF NOT EXISTS events_by_tenant_type ON events (tenant, position, type);
DROP INDEX IF EXISTS events_by_tenant;
`;

type Row = {
  position: number | bigint;
  event_id: string;
  stream: string;
  revision: number;
  tenant: string;
  type: string;
  data: string;
  meta: string;
  prev_hash: string;
  hash: string;
};

const toRecorded = (row: Row): RecordedEvent => ({
  id: row.event_id,
  stream: row.stream,
  revision: row.revision,
  position: BigInt(row.position),
  type: row.type,
  data: JSON.parse(row.data),
  meta: JSON.parse(row.meta),
  prevHash: row.prev_hash,
  hash: row.hash,
});

class WrongExpectedVersion {
  constructor(readonly error: StoreError) {}
}

export type SqliteEventStoreOptions = {
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Scans by prefix read on a worker thread (the default); `false`, or a thread that cannot start, reads on this one. */
  readonly scanThread?: false | PrefixScanOptions;
  /** A scan by prefix reads a log up to this size through in file order beside it, so its pages are cached (0: never; 4 GiB by default). */
  readonly readThroughMaxBytes?: number;
};

/** The largest SQLite integer: positions are rowids. */
const MAX_POSITION = 2n ** 63n - 1n;

/**
 * The embedded event log: one table, WAL, and `synchronous=FULL` so an acknowledged append survives
 * a power cut. The expected version is checked inside the same transaction that writes.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly statements;
  private background: BackgroundCheckpoints | undefined;

  constructor(
    private readonly file: string,
    private readonly options: SqliteEventStoreOptions = {},
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.statements = {
      last: this.db.prepare<[string], { revision: number; hash: string }>(
        'SELECT revision, hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
      ),
      byId: this.db.prepare<[string], Row>('SELECT * FROM events WHERE event_id = ?'),
      insert: this.db.prepare(
        `INSERT INTO events (event_id, stream, revision, tenant, type, data, meta, prev_hash, hash)
         VALUES (@id, @stream, @revision, @tenant, @type, @data, @meta, @prevHash, @hash)`,
      ),
      stream: this.db.prepare<[string], Row>('SELECT * FROM events WHERE stream = ? ORDER BY revision'),
      all: this.db.prepare<[number | bigint, number], Row>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      allOfTenant: this.db.prepare<[string, number | bigint, number], Row>(
        'SELECT * FROM events WHERE tenant = ? AND position > ? ORDER BY position LIMIT ?',
      ),
    };
  }

  private readonly appendTx = (stream: string, events: readonly NewEvent[], expected: ExpectedVersion): AppendResult => {
    const last = this.statements.last.get(stream);
    // A retry of an append that did land (same event ids) succeeds without writing twice.
    const first = events[0] && this.statements.byId.get(events[0].id);
    if (first && first.stream === stream) {
      const lastOfBatch = this.statements.byId.get(events[events.length - 1]!.id);
      if (lastOfBatch) return { lastRevision: lastOfBatch.revision, position: BigInt(lastOfBatch.position) };
    }
    const actual = last ? last.revision : 'no-stream';
    if (!expectationHolds(expected, actual)) throw new WrongExpectedVersion({ code: 'WRONG_EXPECTED_VERSION', stream, expected, actual });

    let revision = last ? last.revision : -1;
    let prevHash = last ? last.hash : GENESIS_HASH;
    let position = 0n;
    for (const event of events) {
      revision += 1;
      // Stored canonical, so the verifier can hash the stored text without parsing it; made once
      // for both the hash and the row.
      const data = canonicalJson(event.data);
      const meta = canonicalJson(event.meta);
      const hash = chainHashOfCanonical(prevHash, stream, revision, event.id, event.type, data, meta);
      const info = this.statements.insert.run({ id: event.id, stream, revision, tenant: event.meta.tenant, type: event.type, data, meta, prevHash, hash });
      position = BigInt(info.lastInsertRowid);
      prevHash = hash;
    }
    return { lastRevision: revision, position };
  };

  /** Made once, on first use (the connection opens in the constructor, after the fields): better-sqlite3 builds a new wrapper on every `transaction()` call. */
  private transactionOf<F extends (...args: never[]) => unknown>(work: F): () => Database.Transaction<F> {
    let made: Database.Transaction<F> | undefined;
    return () => (made ??= this.db.transaction(work));
  }

  private readonly appendInTransaction = this.transactionOf(this.appendTx);

  private readonly transaction = (stream: string, events: readonly NewEvent[], expected: ExpectedVersion): AppendResult =>
    this.appendInTransaction().immediate(stream, events, expected);

  /**
   * Every append in one immediate transaction, and the commit (one fsync) makes them durable
   * together. An append whose expectation fails has written nothing (it is checked before the first
   * row): it answers so and the others go on, with no savepoint (one each cost a fifth of a
   * rollover's time). Any other failure aborts the whole transaction.
   */
  private readonly appendManyTx = (appends: readonly StreamAppend[]): Result<AppendResult, StoreError>[] =>
    appends.map((a) => {
      try {
        return ok(this.appendTx(a.stream, a.events, a.expected));
      } catch (e) {
        if (e instanceof WrongExpectedVersion) return err(e.error);
        throw e;
      }
    });

  private readonly appendManyInTransaction = this.transactionOf(this.appendManyTx);

  appendMany(appends: readonly StreamAppend[]): ResultAsync<Result<AppendResult, StoreError>[], StoreError> {
    try {
      return okAsync(this.appendManyInTransaction().immediate(appends));
    } catch (e) {
      return errAsync({ code: 'STORE_UNAVAILABLE', message: (e as Error).message });
    }
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedVersion): ResultAsync<AppendResult, StoreError> {
    try {
      return okAsync(this.transaction(stream, events, expected));
    } catch (e) {
      if (e instanceof WrongExpectedVersion) return errAsync(e.error);
      return errAsync({ code: 'STORE_UNAVAILABLE', message: (e as Error).message });
    }
  }

  readStream(stream: string): ResultAsync<RecordedEvent[], StoreError> {
    return this.guard(() => this.statements.stream.all(stream).map(toRecorded));
  }

  readAll(options: ReadAllOptions): ResultAsync<RecordedEvent[], StoreError> {
    const after = options.after ?? 0n;
    // Positions here are SQLite rowids: a cursor beyond them was not made by this store.
    if (after < 0n || after > MAX_POSITION) return errAsync({ code: 'INVALID_POSITION', position: String(after) });
    if (options.types) {
      const types = options.types;
      const marks = types.map(() => '?').join(', ');
      // Of one tenant: the positions from the covering index first, then only those rows (a plain
      // filter reads every row of the tenant to look at its type: 5x slower for 1 type in 10).
      if (options.tenant !== undefined) {
        const tenant = options.tenant;
        return this.guard(() =>
          this.db
            .prepare<unknown[], Row>(
              `SELECT * FROM events WHERE position IN
                 (SELECT position FROM events WHERE tenant = ? AND position > ? AND type IN (${marks}) ORDER BY position LIMIT ?)
               ORDER BY position`,
            )
            .all(tenant, after, ...types, options.limit)
            .map(toRecorded),
        );
      }
      return this.guard(() =>
        this.db
          .prepare<unknown[], Row>(`SELECT * FROM events WHERE position > ? AND type IN (${marks}) ORDER BY position LIMIT ?`)
          .all(after, ...types, options.limit)
          .map(toRecorded),
      );
    }
    return this.guard(() =>
      (options.tenant === undefined
        ? this.statements.all.all(after, options.limit)
        : this.statements.allOfTenant.all(options.tenant, after, options.limit)
      ).map(toRecorded),
    );
  }

  /**
   * Pages through the (stream, revision) index, on a thread of its own unless told otherwise
   * (`prefix-scan-thread.ts`, ADR 30): rows come with the columns a replay folds, and a stream's
   * name only with its first event (ids, hashes and names read for every row were a third of the
   * scan at a million events).
   */
  readStreamsByPrefix(prefix: string, options: { readonly startingWith?: PrefixFilter | undefined } = {}): AsyncIterable<Iterable<ReplayedEvent[]>> {
    return scanByPrefix(this.db, this.file, prefix, options.startingWith, this.options.scanThread ?? {}, this.options.readThroughMaxBytes);
  }

  /** A school year's documents: the ordered scan of the school's document streams, only those a start of that year opens. */
  readDocumentsOfYear(tenant: string, year: string): AsyncIterable<Iterable<ReplayedEvent[]>> {
    return this.readStreamsByPrefix(documentStreamPrefix(tenant), { startingWith: { ...YEAR_START, equals: year } });
  }

  /** The stored rows as text, for the audit verifier: what is on disk, not what a reader makes of it. */
  *scanRaw(tenant?: string): Generator<RawEvent> {
    const rows = tenant
      ? this.db.prepare<[string], Row>('SELECT * FROM events WHERE tenant = ? ORDER BY position').iterate(tenant)
      : this.db.prepare<[], Row>('SELECT * FROM events ORDER BY position').iterate();
    for (const row of rows) {
      yield {
        position: String(row.position),
        id: row.event_id,
        stream: row.stream,
        revision: row.revision,
        tenant: row.tenant,
        type: row.type,
        dataJson: row.data,
        metaJson: row.meta,
        prevHash: row.prev_hash,
        hash: row.hash,
      };
    }
  }

  ping(): ResultAsync<void, StoreError> {
    return this.guard(() => void this.db.prepare('SELECT 1').get());
  }

  /** The server's choice: checkpoints in a worker thread, off the event loop (see wal-checkpointer). */
  checkpointInBackground(options?: { driver?: string; intervalMs?: number }): void {
    this.background ??= checkpointInBackground(this.db, this.file, this.options.synchronous ?? 'FULL', options);
  }

  async close(): Promise<void> {
    const stopped = this.background?.stop();
    if (this.db.open) this.db.close();
    await stopped;
  }

  private guard<T>(read: () => T): ResultAsync<T, StoreError> {
    try {
      return okAsync(read());
    } catch (e) {
      return errAsync({ code: 'STORE_UNAVAILABLE', message: (e as Error).message });
    }
  }
}
