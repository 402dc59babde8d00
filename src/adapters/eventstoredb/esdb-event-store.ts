import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type {
  AppendResult,
  EventMeta,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  RecordedEvent,
  StoreError,
} from '../../application/ports/event-store.js';
import { chainHash, GENESIS_HASH } from '../shared/event-chain.js';
import { expectationHolds } from '../shared/expected-version.js';

/** What we keep in an event's metadata besides the envelope: the chain. */
type StoredMeta = EventMeta & { prevHash: string; hash: string };

/**
 * Positions in $all are (commit, prepare) pairs; events of one append share a commit position.
 * The port wants one ordered bigint, so both are packed: commit in the high 64 bits.
 */
const TWO_64 = 1n << 64n;
export const packPosition = (commit: bigint, prepare: bigint): bigint => commit * TWO_64 + prepare;
export const unpackPosition = (position: bigint) => ({ commit: position / TWO_64, prepare: position % TWO_64 });

class Timeout extends Error {}

export type EsdbOptions = {
  /** Every call is bounded: the client waits forever on a server that accepts TCP and never answers. */
  readonly timeoutMs?: number;
};

const isProductStream = (stream: string) => !stream.startsWith('$');

/**
 * The production event store: EventStoreDB over gRPC. Expected versions map one to one
 * (no-stream → NO_STREAM, revision n → BigInt(n), any → the current revision, so that the chain
 * hash is computed on a known predecessor); event ids make a retried append idempotent.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly timeoutMs: number;

  constructor(connectionString: string, options: EsdbOptions = {}) {
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  private bounded<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`EventStoreDB did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([work(), timeout]).finally(() => clearTimeout(timer));
  }

  private unavailable = (e: unknown): StoreError => ({ code: 'STORE_UNAVAILABLE', message: (e as Error).message ?? String(e) });

  private async last(stream: string): Promise<{ revision: number; hash: string } | undefined> {
    try {
      for await (const resolved of this.client.readStream<never>(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1, deadline: this.timeoutMs })) {
        const event = (resolved as ResolvedEvent).event;
        if (event) return { revision: Number(event.revision), hash: (event.metadata as StoredMeta).hash };
      }
      return undefined;
    } catch (e) {
      if (e instanceof StreamNotFoundError) return undefined;
      throw e;
    }
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedVersion): ResultAsync<AppendResult, StoreError> {
    if (events.length === 0) {
      // Nothing to write: only the expectation is checked, as SQLite does.
      return ResultAsync.fromPromise(this.bounded(() => this.last(stream)), (e) => this.unavailable(e)).andThen((last): ResultAsync<AppendResult, StoreError> => {
        const actual = last?.revision ?? 'no-stream';
        return expectationHolds(expected, actual)
          ? okAsync({ lastRevision: last?.revision ?? -1, position: 0n })
          : errAsync({ code: 'WRONG_EXPECTED_VERSION', stream, expected, actual });
      });
    }
    return ResultAsync.fromPromise(this.bounded(() => this.appendChained(stream, events, expected)), (e) => {
      if (e instanceof WrongExpectedVersionError) {
        const actual = e.actualVersion;
        return { code: 'WRONG_EXPECTED_VERSION', stream, expected, actual: typeof actual === 'bigint' ? Number(actual) : 'no-stream' } as StoreError;
      }
      return this.unavailable(e);
    });
  }

  private async appendChained(stream: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    // The chain needs the predecessor's hash; it is read first, and the append then expects
    // exactly that predecessor, so a concurrent writer makes it fail rather than fork the chain.
    const last = expected === 'no-stream' ? undefined : await this.last(stream);
    // With an exact expectation that no longer holds, the server answers the conflict (or, for a
    // retry of events it already has, success without writing): the hashes computed here are unused.
    let prevHash = last?.hash ?? GENESIS_HASH;
    let revision = last?.revision ?? -1;
    if (expected !== 'any' && expected !== 'no-stream') revision = expected.revision;
    const data = events.map((event) => {
      revision += 1;
      const hash = chainHash(prevHash, stream, revision, event);
      const metadata: StoredMeta = { ...event.meta, prevHash, hash };
      prevHash = hash;
      return jsonEvent({ id: event.id, type: event.type, data: event.data as Record<string, unknown>, metadata });
    });
    const expectedRevision: AppendExpectedRevision =
      expected === 'no-stream' ? NO_STREAM : expected === 'any' ? (last ? BigInt(last.revision) : NO_STREAM) : BigInt(expected.revision);
    const result = await this.client.appendToStream(stream, data, { expectedRevision, deadline: this.timeoutMs });
    const position = result.position ? packPosition(result.position.commit, result.position.prepare) : 0n;
    return { lastRevision: Number(result.nextExpectedRevision), position };
  }

  readStream(stream: string): ResultAsync<RecordedEvent[], StoreError> {
    return ResultAsync.fromPromise(
      this.bounded(async () => {
        const out: RecordedEvent[] = [];
        try {
          for await (const resolved of this.client.readStream<never>(stream, { direction: FORWARDS, fromRevision: START, deadline: this.timeoutMs })) {
            const recorded = toRecorded(resolved as ResolvedEvent);
            if (recorded) out.push(recorded);
          }
        } catch (e) {
          if (!(e instanceof StreamNotFoundError)) throw e;
        }
        return out;
      }),
      this.unavailable,
    );
  }

  readAll(options: ReadAllOptions): ResultAsync<RecordedEvent[], StoreError> {
    return ResultAsync.fromPromise(
      this.bounded(async () => {
        const out: RecordedEvent[] = [];
        let from: ReadPosition = options.after === undefined ? START : unpackPosition(options.after);
        // $all holds system events and other tenants' too: read in pages, keep ours, stop at `limit`.
        for (;;) {
          let seen = 0;
          let lastPosition: bigint | undefined;
          for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: 1000, deadline: this.timeoutMs })) {
            seen += 1;
            const recorded = toRecorded(resolved as AllStreamResolvedEvent);
            const event = (resolved as AllStreamResolvedEvent).event;
            if (!event) continue;
            lastPosition = packPosition(event.position.commit, event.position.prepare);
            if (options.after !== undefined && lastPosition <= options.after) continue;
            if (!recorded || !isProductStream(recorded.stream)) continue;
            if (options.tenant !== undefined && recorded.meta.tenant !== options.tenant) continue;
            if (options.types !== undefined && !options.types.includes(recorded.type)) continue;
            out.push(recorded);
            if (out.length >= options.limit) return out;
          }
          if (seen < 1000 || lastPosition === undefined) return out;
          from = unpackPosition(lastPosition);
          options = { ...options, after: lastPosition };
        }
      }),
      this.unavailable,
    );
  }

  /** Wakes `onEvent` for every new event in $all; resubscribes after the server drops the stream. */
  watch(onEvent: () => void, onError: (e: Error) => void): () => void {
    let stopped = false;
    let subscription: ReturnType<EventStoreDBClient['subscribeToAll']> | undefined;
    const start = () => {
      if (stopped) return;
      subscription = this.client.subscribeToAll({ fromPosition: END });
      subscription.on('data', () => onEvent());
      subscription.on('error', (e: Error) => {
        onError(e);
        setTimeout(start, 1000).unref();
      });
    };
    start();
    return () => {
      stopped = true;
      void subscription?.unsubscribe().catch(() => undefined);
    };
  }

  ping(): ResultAsync<void, StoreError> {
    return ResultAsync.fromPromise(
      this.bounded(async () => {
        for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: this.timeoutMs })) break;
      }),
      this.unavailable,
    );
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

const toRecorded = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined => {
  const event = resolved.event;
  if (!event || !event.isJson || !event.metadata || typeof event.metadata !== 'object') return undefined;
  const meta = event.metadata as Partial<StoredMeta>;
  if (typeof meta.tenant !== 'string' || typeof meta.hash !== 'string') return undefined;
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    meta: { actor: meta.actor!, at: meta.at!, tenant: meta.tenant, schemaVersion: meta.schemaVersion ?? 1 },
    stream: event.streamId,
    revision: Number(event.revision),
    position: event.position ? packPosition(event.position.commit, event.position.prepare) : 0n,
    prevHash: meta.prevHash ?? GENESIS_HASH,
    hash: meta.hash,
  };
};
