import type { Result, ResultAsync } from 'neverthrow';

/** The revision of a stream's last event (0-based) an append expects, or that there is no stream yet. */
export type ExpectedVersion = 'no-stream' | 'any' | { readonly revision: number };

export type EventMeta = {
  readonly actor: string;
  readonly at: string;
  readonly tenant: string;
  readonly schemaVersion: number;
};

export type NewEvent = {
  /** Stable per attempt: appending the same ids again is a no-op, so a timed-out append can be retried. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly meta: EventMeta;
};

export type RecordedEvent = NewEvent & {
  readonly stream: string;
  readonly revision: number;
  /** Global order across all streams; opaque beyond ordering. */
  readonly position: bigint;
  readonly prevHash: string;
  readonly hash: string;
};

/**
 * An event as a replay folds it: what the domain sees (type, data, meta) and where it is in its
 * stream. Its id, log position and chain hashes are left out (the audit reads those, a fold never
 * does): at a million events, reading them was a fifth of a rollover.
 */
export type ReplayedEvent = Pick<RecordedEvent, 'stream' | 'revision' | 'type' | 'data' | 'meta'>;

export type StoreError =
  | { readonly code: 'WRONG_EXPECTED_VERSION'; readonly stream: string; readonly expected: ExpectedVersion; readonly actual: number | 'no-stream' }
  | { readonly code: 'STORE_UNAVAILABLE'; readonly message: string }
  /** The stream was deleted for good (tombstoned) on the store: no command on it can ever succeed. */
  | { readonly code: 'STREAM_DELETED'; readonly stream: string }
  /** A position this store never gives out (a client's cursor made up or from another store). */
  | { readonly code: 'INVALID_POSITION'; readonly position: string }
  /** The store refuses an append this large, now and on every retry (EventStoreDB's MaxAppendSize). */
  | { readonly code: 'APPEND_TOO_LARGE'; readonly message: string };

export type AppendResult = { readonly lastRevision: number; readonly position: bigint };

export type ReadAllOptions = {
  readonly after?: bigint | undefined;
  readonly limit: number;
  readonly tenant?: string | undefined;
  /** Only events of these types; the others are skipped by the store, unparsed where it can. */
  readonly types?: readonly string[] | undefined;
};

/** One stream's part of `appendMany`. */
export type StreamAppend = { readonly stream: string; readonly events: readonly NewEvent[]; readonly expected: ExpectedVersion };

/**
 * Every read hands out events parsed afresh: they are the reader's own to change, and changing
 * them changes nothing stored or read by anyone else (the sealing store opens them in place).
 */

export interface EventStore {
  append(stream: string, events: readonly NewEvent[], expected: ExpectedVersion): ResultAsync<AppendResult, StoreError>;
  /**
   * Appends to several streams, each checked against its own expected version, the way the store
   * best commits many: together where it can, one commit for all (a rollover carries thousands of
   * documents, and one commit each was more than half of its time). Each append answers for
   * itself, in order: one whose expectation fails is not written and says so, the others are. An
   * error of the whole means nothing was written where the store commits them together; a store
   * that cannot appends them one after another, each answering for itself.
   */
  appendMany(appends: readonly StreamAppend[]): ResultAsync<Result<AppendResult, StoreError>[], StoreError>;
  /** All events of a stream in order; an empty list when the stream does not exist. */
  readStream(stream: string): ResultAsync<RecordedEvent[], StoreError>;
  /** Events after a global position, oldest first, optionally of one tenant only. */
  readAll(options: ReadAllOptions): ResultAsync<RecordedEvent[], StoreError>;
  /**
   * Calls `onEvent` when events may have been appended by anyone (another node included), for
   * stores that can push; returns how to stop. The projector still reads the log itself.
   */
  watch?(onEvent: () => void, onError: (error: Error) => void): () => void;
  /**
   * A school's documents that start in a school year (their first event, a deposit or a carry, is
   * of that year), each stream whole and in order, a batch at a time: what a rollover replays.
   * Batches let a reader pay its per-read costs (a key lookup, a promise) once a batch rather than
   * once a document; a batch is iterated once. How the store finds them is its own business.
   */
  readDocumentsOfYear(tenant: string, year: string): AsyncIterable<Iterable<ReplayedEvent[]>>;
  /** Resolves when the store is reachable and answering. */
  ping(): ResultAsync<void, StoreError>;
  close(): Promise<void>;
}
