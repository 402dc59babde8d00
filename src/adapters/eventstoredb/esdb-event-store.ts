import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  MaxAppendSizeExceededError,
  NotLeaderError,
  NO_STREAM,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ReadPosition,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString.js';
import { errAsync, okAsync, ResultAsync, type Result } from 'neverthrow';
import type {
  AppendResult,
  EventMeta,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  StoreError,
  StreamAppend,
} from '../../application/ports/event-store.js';
import { appendOneByOne } from '../shared/append-one-by-one.js';
import { chainHash, GENESIS_HASH } from '../shared/event-chain.js';
import { expectationHolds } from '../shared/expected-version.js';
import { documentsOfYearFromLog } from '../shared/documents-of-year.js';

/** What we keep in an event's metadata besides the envelope: the chain. */
type StoredMeta = EventMeta & { prevHash: string; hash: string };

/**
 * Positions in $all are (commit, prepare) pairs; events of one append share a commit position.
 * The port wants one ordered bigint, so both are packed: commit in the high 64 bits.
 */
const TWO_64 = 1n << 64n;
export const packPosition = (commit: bigint, prepare: bigint): bigint => commit * TWO_64 + prepare;
/** Whether a packed position could be one of $all's: both halves unsigned 64-bit, the prepare never past the commit (the server refuses such a position). */
export const isPosition = (position: bigint): boolean => {
  if (position < 0n) return false;
  const { commit, prepare } = unpackPosition(position);
  return commit < TWO_64 && prepare <= commit;
};
export const unpackPosition = (position: bigint) => ({ commit: position / TWO_64, prepare: position % TWO_64 });

/** The options the client knows (6.2.1), flat-cased as it compares them: any other it would ignore with a warning. */
const KNOWN_OPTIONS = new Set(
  ['maxDiscoverAttempts', 'discoveryInterval', 'gossipTimeout', 'nodePreference', 'tls', 'tlsVerifyCert', 'tlsCAFile', 'userCertFile', 'userKeyFile', 'defaultDeadline', 'keepAliveInterval', 'keepAliveTimeout', 'throwOnAppendFailure', 'connectionName', 'dnsDiscover'].map((k) =>
    k.toLowerCase(),
  ),
);

/**
 * What is wrong with a connection string, read by the client's own parser (the configuration's
 * regex only checks its shape): undefined when the client will use it as written. Refused too: what
 * the client would silently read otherwise (a password cut at its second ':', an option it ignores).
 */
export const connectionStringProblem = (url: string): string | undefined => {
  const userinfo = /^esdb(?:\+discover)?:\/\/([^@/?#]*)@/.exec(url)?.[1];
  if (userinfo !== undefined && userinfo.split(':').length > 2) return 'the password holds ":", which the client cuts it at: write it %3A';
  try {
    parseConnectionString(url);
  } catch (e) {
    return (e as Error).message.split('\n')[0]!.trim();
  }
  const query = url.split('?')[1] ?? '';
  for (const pair of query.split('&').filter(Boolean)) {
    const key = pair.split('=')[0]!;
    if (!KNOWN_OPTIONS.has(key.trim().toLowerCase().replace(/[_-]/g, ''))) return `unknown option ${JSON.stringify(key)}, which the client would ignore`;
  }
  return undefined;
};

class Timeout extends Error {}

export type EsdbOptions = {
  /** Every call is bounded: the client waits forever on a server that accepts TCP and never answers. */
  readonly timeoutMs?: number;
  /** Told of every stored event in a product stream that cannot be read (a log line and a metric, in main.ts). */
  readonly onMalformed?: (what: { stream: string; id: string; revision: number; reason: string }) => void;
  /**
   * How many events a stream keeps (`$maxCount`, set by the adapter on its first append in this
   * process), or undefined to keep them all: lease streams only need their last take (ADR 18, 39).
   */
  readonly maxCountOf?: (stream: string) => number | undefined;
};

/** An event of ours that cannot be read: refused loudly (a 503 naming it), never dropped, or its stream would conflict for ever. */
export class MalformedEvent extends Error {
  constructor(readonly where: { stream: string; id: string; revision: number; reason: string }) {
    super(`the stored event ${where.id} (stream ${where.stream}, revision ${where.revision}) cannot be read: ${where.reason}`);
  }
}

/** After a leader election the client learns the new leader on its next call: such a call is tried again. */
const NOT_LEADER_ATTEMPTS = 3;

const isProductStream = (stream: string) => !stream.startsWith('$');

/** One bounded call: once its time is up it is cancelled, its open reads too, and it starts nothing new. */
class Call {
  cancelled = false;
  private readonly reads = new Set<StreamingRead<unknown>>();

  /** Refuses to start more work once the caller has stopped waiting. */
  check(): void {
    if (this.cancelled) throw new Timeout('the call was abandoned after its timeout');
  }

  track<E>(read: StreamingRead<E>): StreamingRead<E> {
    this.reads.add(read as StreamingRead<unknown>);
    return read;
  }

  async release(read: StreamingRead<unknown>): Promise<void> {
    this.reads.delete(read);
    // Breaking out of `for await` does not end the gRPC call in 6.2.1: it is cancelled here.
    await read.cancel().catch(() => undefined);
  }

  cancel(): void {
    this.cancelled = true;
    for (const read of this.reads) void read.cancel().catch(() => undefined);
    this.reads.clear();
  }
}

/** How many times an append with `any` reads the head again after another writer got in first. */
const ANY_ATTEMPTS = 20;
const PAGE = 1000;

/**
 * The production event store: EventStoreDB over gRPC. Expected versions map one to one
 * (no-stream → NO_STREAM, revision n → BigInt(n)); `any` appends at the head it reads from the
 * leader, again if another writer got in first, so the chain always names the true predecessor,
 * and a retry whose events are already there is answered with them rather than written twice.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly timeoutMs: number;
  private readonly onMalformed: NonNullable<EsdbOptions['onMalformed']>;
  private readonly maxCountOf: NonNullable<EsdbOptions['maxCountOf']>;
  /** Streams whose `$maxCount` this process has set already. */
  private readonly bounded$ = new Set<string>();
  /** Events this store has received from reads of $all, of every tenant: what a scan costs the node. */
  eventsReadFromAll = 0;

  constructor(connectionString: string, options: EsdbOptions = {}) {
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.onMalformed = options.onMalformed ?? (() => undefined);
    this.maxCountOf = options.maxCountOf ?? (() => undefined);
  }

  /** Sets the stream's `$maxCount` once per process, when it has one (best effort: a lease works without it, only slower). */
  private async boundStream(call: Call, stream: string): Promise<void> {
    const maxCount = this.maxCountOf(stream);
    if (maxCount === undefined || this.bounded$.has(stream)) return;
    call.check();
    await this.client.setStreamMetadata(stream, { maxCount }, { deadline: this.timeoutMs, requiresLeader: true }).then(
      () => void this.bounded$.add(stream),
      () => undefined,
    );
  }

  /** An event of ours, or a MalformedEvent thrown (after telling `onMalformed`). */
  private recorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent {
    const read = toRecorded(resolved);
    if (typeof read === 'string') {
      const e = resolved.event!;
      const where = { stream: e.streamId, id: e.id, revision: Number(e.revision), reason: read };
      this.onMalformed(where);
      throw new MalformedEvent(where);
    }
    return read;
  }

  /**
   * A bounded call, tried again when the node it reached is no longer the leader (an election):
   * safe, as every append carries its event ids and a retried one is answered, not written twice.
   */
  private bounded<T>(work: (call: Call) => Promise<T>): Promise<T> {
    const attempt = async (n: number): Promise<T> => {
      try {
        return await this.boundedOnce(work);
      } catch (e) {
        if (!(e instanceof NotLeaderError) || n + 1 >= NOT_LEADER_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, 50 * (n + 1)));
        return attempt(n + 1);
      }
    };
    return attempt(0);
  }

  private boundedOnce<T>(work: (call: Call) => Promise<T>): Promise<T> {
    const call = new Call();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        call.cancel();
        reject(new Timeout(`EventStoreDB did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    return Promise.race([work(call), timeout]).finally(() => clearTimeout(timer));
  }

  private unavailable = (e: unknown): StoreError =>
    e instanceof StreamDeletedError
      ? { code: 'STREAM_DELETED', stream: e.streamName }
      : e instanceof MaxAppendSizeExceededError
        ? // The server's MaxAppendSize: the same append will never fit, so not a 503 to retry.
          { code: 'APPEND_TOO_LARGE', message: `the event store refuses appends over ${e.maxAppendSize} bytes` }
        : { code: 'STORE_UNAVAILABLE', message: (e as Error).message ?? String(e) };

  /** Reads through a bounded call: tracked so a timeout cancels it, cancelled when the reader stops. */
  private async *read<E>(call: Call, open: () => StreamingRead<E>): AsyncGenerator<E> {
    call.check();
    const read = call.track(open());
    try {
      for await (const item of read) yield item;
    } finally {
      await call.release(read as StreamingRead<unknown>);
    }
  }

  /** The stream's head, from the leader: a follower may serve a stale one, and the chain would fork. */
  private async last(call: Call, stream: string): Promise<{ revision: number; hash: string; ids: Set<string> } | undefined> {
    try {
      let last: { revision: number; hash: string; ids: Set<string> } | undefined;
      // Read to its end (one event), as `head` does.
      for await (const resolved of this.read(call, () =>
        this.client.readStream<never>(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1, requiresLeader: true, deadline: this.timeoutMs }),
      )) {
        const event = (resolved as ResolvedEvent).event;
        if (event) last = { revision: Number(event.revision), hash: (event.metadata as StoredMeta).hash, ids: new Set([event.id]) };
      }
      return last;
    } catch (e) {
      if (e instanceof StreamNotFoundError) return undefined;
      throw e;
    }
  }

  /** One after another: EventStoreDB commits one stream at a time. */
  appendMany(appends: readonly StreamAppend[]): ResultAsync<Result<AppendResult, StoreError>[], StoreError> {
    return appendOneByOne((stream, events, expected) => this.append(stream, events, expected))(appends);
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedVersion): ResultAsync<AppendResult, StoreError> {
    if (events.length === 0) {
      // Nothing to write: only the expectation is checked, as SQLite does.
      return ResultAsync.fromPromise(this.bounded((call) => this.last(call, stream)), (e) => this.unavailable(e)).andThen((last): ResultAsync<AppendResult, StoreError> => {
        const actual = last?.revision ?? 'no-stream';
        return expectationHolds(expected, actual)
          ? okAsync({ lastRevision: last?.revision ?? -1, position: 0n })
          : errAsync({ code: 'WRONG_EXPECTED_VERSION', stream, expected, actual });
      });
    }
    return ResultAsync.fromPromise(
      this.bounded(async (call) => {
        if (expected !== 'any') return this.appendChained(call, stream, events, expected);
        for (let attempt = 0; ; attempt++) {
          try {
            return await this.appendChained(call, stream, events, 'head');
          } catch (e) {
            if (!(e instanceof WrongExpectedVersionError) || attempt + 1 >= ANY_ATTEMPTS) throw e;
          }
        }
      }),
      (e) => {
        if (e instanceof WrongExpectedVersionError) {
          const actual = e.actualVersion;
          return { code: 'WRONG_EXPECTED_VERSION', stream, expected, actual: typeof actual === 'bigint' ? Number(actual) : 'no-stream' } as StoreError;
        }
        return this.unavailable(e);
      },
    );
  }

  /**
   * The chain needs the predecessor's hash: it is read (from the leader), and the append then
   * expects exactly that predecessor, so a concurrent writer makes it fail rather than fork the
   * chain. With an exact expectation the caller already named the predecessor's revision.
   */
  private async appendChained(call: Call, stream: string, events: readonly NewEvent[], expected: 'no-stream' | 'head' | { revision: number }): Promise<AppendResult> {
    const last = expected === 'no-stream' ? undefined : await this.last(call, stream);
    if (expected === 'head' && last && events.some((e) => last.ids.has(e.id))) {
      // A retry of an append that landed before its answer was lost: answered, not written again.
      return { lastRevision: last.revision, position: 0n };
    }
    let prevHash = last?.hash ?? GENESIS_HASH;
    let revision = last?.revision ?? -1;
    if (typeof expected === 'object') revision = expected.revision;
    const data = events.map((event) => {
      revision += 1;
      const hash = chainHash(prevHash, stream, revision, event);
      const metadata: StoredMeta = { ...event.meta, prevHash, hash };
      prevHash = hash;
      return jsonEvent({ id: event.id, type: event.type, data: event.data as Record<string, unknown>, metadata });
    });
    const expectedRevision: AppendExpectedRevision =
      expected === 'no-stream' ? NO_STREAM : expected === 'head' ? (last ? BigInt(last.revision) : NO_STREAM) : BigInt(expected.revision);
    call.check();
    const result = await this.client.appendToStream(stream, data, { expectedRevision, deadline: this.timeoutMs, requiresLeader: true });
    if (result.success) await this.boundStream(call, stream);
    // With throwOnAppendFailure=false in the connection string the client answers instead of throwing.
    if (!result.success) {
      throw new WrongExpectedVersionError(undefined, { streamName: stream, expected: expectedRevision, current: result.nextExpectedRevision } as never);
    }
    const position = result.position ? packPosition(result.position.commit, result.position.prepare) : 0n;
    return { lastRevision: Number(result.nextExpectedRevision), position };
  }

  /**
   * The whole stream, a page of PAGE events at a time, each page bounded on its own: a long stream
   * takes as long as it needs without one call holding it all. A stream truncated by `$maxCount`
   * starts past revision 0: the first page starts where the server does.
   */
  readStream(stream: string): ResultAsync<RecordedEvent[], StoreError> {
    const out: RecordedEvent[] = [];
    const page = (from: bigint | typeof START) =>
      this.bounded(async (call) => {
        let seen = 0;
        try {
          // From the leader: what a command decides on, and what it waits for, must include every
          // acknowledged append (a follower may lag); see the README on reading from several nodes.
          for await (const resolved of this.read(call, () =>
            this.client.readStream<never>(stream, { direction: FORWARDS, fromRevision: from, maxCount: PAGE, deadline: this.timeoutMs, requiresLeader: true }),
          )) {
            seen += 1;
            out.push(this.recorded(resolved as ResolvedEvent));
          }
        } catch (e) {
          if (!(e instanceof StreamNotFoundError)) throw e;
        }
        return seen;
      });
    const all = async (): Promise<RecordedEvent[]> => {
      for (let from: bigint | typeof START = START; ; ) {
        const seen = await page(from);
        if (seen < PAGE) return out;
        from = BigInt(out[out.length - 1]!.revision + 1);
      }
    };
    return ResultAsync.fromPromise(all(), this.unavailable);
  }

  /**
   * $all holds system events and other tenants' too: it is read in pages of 1000, ours kept, until
   * `limit` are found. Each page is bounded on its own, so a long scan of a large multi-tenant log
   * takes as long as it needs without any single call hanging; a page that stops at `limit` is
   * cancelled, not left open.
   */
  readAll(options: ReadAllOptions): ResultAsync<RecordedEvent[], StoreError> {
    // A position this store never gives out (a client's cursor) is the client's mistake, not a 503.
    if (options.after !== undefined && !isPosition(options.after)) return errAsync({ code: 'INVALID_POSITION', position: String(options.after) });
    if (options.tenant !== undefined) return ResultAsync.fromPromise(this.readTenant(options.tenant, options), this.unavailable);
    const out: RecordedEvent[] = [];
    const page = (from: ReadPosition, after: bigint | undefined) =>
      this.bounded(async (call) => {
        let seen = 0;
        let lastPosition: bigint | undefined;
        for await (const resolved of this.read(call, () => this.client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: PAGE, deadline: this.timeoutMs, requiresLeader: true }))) {
          seen += 1;
          this.eventsReadFromAll += 1;
          const event = (resolved as AllStreamResolvedEvent).event;
          if (!event) continue;
          lastPosition = packPosition(event.position.commit, event.position.prepare);
          if (after !== undefined && lastPosition <= after) continue;
          if (!isProductStream(event.streamId)) continue;
          const recorded = this.recorded(resolved as AllStreamResolvedEvent);
          if (options.tenant !== undefined && recorded.meta.tenant !== options.tenant) continue;
          if (options.types !== undefined && !options.types.includes(recorded.type)) continue;
          out.push(recorded);
          if (out.length >= options.limit) return { done: true, lastPosition };
        }
        return { done: seen < PAGE || lastPosition === undefined, lastPosition };
      });
    const scan = async (): Promise<RecordedEvent[]> => {
      let from: ReadPosition = options.after === undefined ? START : unpackPosition(options.after);
      let after = options.after;
      for (;;) {
        const { done, lastPosition } = await page(from, after);
        if (done || lastPosition === undefined) return out;
        from = unpackPosition(lastPosition);
        after = lastPosition;
      }
    };
    return ResultAsync.fromPromise(scan(), this.unavailable);
  }

  /** EventStoreDB keeps no stream's events together: the school's log is read for the documents' starts, then each document. */
  readonly readDocumentsOfYear = documentsOfYearFromLog(this);

  /** The position of the last event in $all (ours or the server's), from the leader; undefined for an empty log. */
  private async head(call: Call): Promise<bigint | undefined> {
    let head: bigint | undefined;
    // Read to its end (one event), not left early: a read left before the server's end stays
    // paused in 6.2.1, and the client's dispose() then waits for it for ever.
    for await (const resolved of this.read(call, () => this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: this.timeoutMs, requiresLeader: true }))) {
      const event = (resolved as AllStreamResolvedEvent).event;
      if (event) head = packPosition(event.position.commit, event.position.prepare);
    }
    return head;
  }

  /**
   * One tenant's events, filtered by the server: only streams named `<tenant>:…` cross the wire, so
   * a school's audit or rollover reads its own events, not every school's (issue 31). 6.2.1's
   * `readAll` cannot filter; a filtered `subscribeToAll` can, and it is read here up to the head
   * found first, or to the limit. The server's checkpoints (one per search window it scanned) say
   * when it passed the head with nothing more to send, and `caughtUp` when it went live. A
   * subscription silent for longer than the timeout fails the read; it is always cancelled.
   */
  private async readTenant(tenant: string, options: ReadAllOptions, attempt = 0): Promise<RecordedEvent[]> {
    const head = await this.bounded((call) => this.head(call));
    if (head === undefined || (options.after !== undefined && options.after >= head)) return [];
    const out: RecordedEvent[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let finished = false;
        let idle: NodeJS.Timeout | undefined;
        const finish = (error?: unknown) => {
          if (finished) return;
          finished = true;
          clearTimeout(idle);
          void subscription.unsubscribe().then(() => subscription.destroy(), () => undefined);
          if (error === undefined) resolve();
          else reject(error);
        };
        const alive = () => {
          clearTimeout(idle);
          idle = setTimeout(() => finish(new Timeout(`EventStoreDB did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        };
        const subscription = this.client.subscribeToAll({
          fromPosition: options.after === undefined ? START : unpackPosition(options.after),
          requiresLeader: true,
          filter: streamNameFilter({
            prefixes: [`${tenant}:`],
            checkpointInterval: 1,
            checkpointReached: (_subscription, position) => {
              alive();
              if (packPosition(position.commit, position.prepare) >= head) finish();
            },
          }),
        });
        alive();
        subscription.on('data', (resolved: AllStreamResolvedEvent) => {
          if (finished) return;
          alive();
          this.eventsReadFromAll += 1;
          const event = resolved.event;
          if (!event) return;
          const position = packPosition(event.position.commit, event.position.prepare);
          if (position > head) return finish();
          if ((options.after === undefined || position > options.after) && isProductStream(event.streamId)) {
            let recorded: RecordedEvent;
            try {
              recorded = this.recorded(resolved);
            } catch (e) {
              return finish(e);
            }
            if (recorded.meta.tenant === tenant && (options.types === undefined || options.types.includes(recorded.type))) out.push(recorded);
          }
          if (out.length >= options.limit || position === head) finish();
        });
        subscription.on('caughtUp', () => finish());
        subscription.on('end', () => finish());
        subscription.on('error', (e: Error) => finish(e));
      });
    } catch (e) {
      // After an election the same read goes to the new leader (nothing was handed out yet).
      if (e instanceof NotLeaderError && attempt + 1 < NOT_LEADER_ATTEMPTS) return this.readTenant(tenant, options, attempt + 1);
      throw e;
    }
    return out;
  }

  /**
   * Wakes `onEvent` when anyone appends (system events filtered out on the server); subscribes
   * again after the server drops the subscription or ends it cleanly.
   */
  watch(onEvent: () => void, onError: (e: Error) => void): () => void {
    let stopped = false;
    let subscription: ReturnType<EventStoreDBClient['subscribeToAll']> | undefined;
    const again = () => {
      if (!stopped) setTimeout(start, 1000).unref();
    };
    const start = () => {
      if (stopped) return;
      subscription = this.client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
      subscription.on('data', () => onEvent());
      subscription.on('error', (e: Error) => {
        onError(e);
        again();
      });
      subscription.on('end', again);
    };
    start();
    return () => {
      stopped = true;
      void subscription?.unsubscribe().catch(() => undefined);
    };
  }

  ping(): ResultAsync<void, StoreError> {
    return ResultAsync.fromPromise(
      this.bounded(async (call) => {
        // Read to its end (one event), as `head` does.
        for await (const _ of this.read(call, () => this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: this.timeoutMs }))) void _;
      }),
      this.unavailable,
    );
  }

  /**
   * Waits for the client's streams to end, at most one timeout: 6.2.1's dispose() waits for every
   * stream it opened, and one a reader left just before the server's end never ends.
   */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.client.dispose(), new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeoutMs)))]).finally(() => clearTimeout(timer));
  }
}

/** The event as the port has it, or why it cannot be (every field the envelope needs is checked, none assumed). */
export const toRecorded = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | string => {
  const event = resolved.event;
  if (!event) return 'no event (a link to a deleted one)';
  if (!event.isJson || event.data === null || typeof event.data !== 'object') return 'its data is not JSON';
  if (!event.metadata || typeof event.metadata !== 'object') return 'it has no metadata';
  const meta = event.metadata as Partial<StoredMeta>;
  if (typeof meta.tenant !== 'string' || meta.tenant.length === 0) return 'its metadata names no tenant';
  if (typeof meta.hash !== 'string' || !/^[0-9a-f]{64}$/.test(meta.hash)) return 'its metadata has no chain hash';
  if (meta.prevHash !== undefined && (typeof meta.prevHash !== 'string' || !/^[0-9a-f]{64}$/.test(meta.prevHash))) return 'its previous hash is not a hash';
  if (typeof meta.actor !== 'string' || meta.actor.length === 0) return 'its metadata names no actor';
  if (typeof meta.at !== 'string' || Number.isNaN(Date.parse(meta.at))) return 'its metadata has no valid time';
  if (meta.schemaVersion !== undefined && !Number.isInteger(meta.schemaVersion)) return 'its schema version is not a number';
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    meta: { actor: meta.actor, at: meta.at, tenant: meta.tenant, schemaVersion: meta.schemaVersion ?? 1 },
    stream: event.streamId,
    revision: Number(event.revision),
    position: event.position ? packPosition(event.position.commit, event.position.prepare) : 0n,
    prevHash: meta.prevHash ?? GENESIS_HASH,
    hash: meta.hash,
  };
};
