import * as grpc from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsdbEventStore, isPosition, packPosition } from '../../src/adapters/eventstoredb/esdb-event-store.js';

/**
 * A stand-in gRPC server built from the client's own generated protos: not an event store, a
 * fault injector. It serves $all as an endless run of events, or stalls, and counts the read calls
 * still open, so a test can see whether the adapter cancels what it stops reading.
 */
const require = createRequire(import.meta.url);
const { StreamsService } = require('@eventstore/db-client/generated/streams_grpc_pb.js');
const { ReadResp, AppendResp } = require('@eventstore/db-client/generated/streams_pb.js');
const { UUID, StreamIdentifier } = require('@eventstore/db-client/generated/shared_pb.js');

type Mode = 'endless' | 'stall' | 'malformed' | 'notLeaderOnce' | 'stream' | 'log' | 'logSilentSubscriptions' | 'store';
/** In 'log' mode: $all holds LOG_EVENTS events of TENANTS schools, taking turns (event n is school n % TENANTS's). */
const TENANTS = 100;
const LOG_EVENTS = 4000;
/** How many events the stand-in sent on the wire, in every mode: what a read costs the server. */
let served = 0;
/** Every append the stand-in took: the stream, and each event's type and data. */
const appended: { stream: string; events: { type: string; data: unknown; meta: Record<string, unknown> }[] }[] = [];
/** In 'stream' mode: one stream of this many events, served from the revision and count asked. */
const STREAM_LENGTH = 2500;
let mode: Mode = 'endless';
let open = 0;
let server: grpc.Server;
let url: string;

let calls = 0;
let port = 0;
const eventAt = (
  n: number,
  meta: Record<string, unknown> = { actor: 'a', at: '2026-01-01T00:00:00.000Z', tenant: 'school', schemaVersion: 1, prevHash: '0'.repeat(64), hash: 'f'.repeat(64) },
  stream = 'school:document:stand-in',
  revision = n,
) => {
  served += 1;
  const id = new UUID();
  id.setString(`00000000-0000-4000-8000-${String(n).padStart(12, '0')}`);
  const streamId = new StreamIdentifier();
  streamId.setStreamName(Buffer.from(stream));
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(id);
  recorded.setStreamIdentifier(streamId);
  recorded.setStreamRevision(String(revision));
  recorded.setPreparePosition(String(n + 1));
  recorded.setCommitPosition(String(n + 1));
  recorded.getMetadataMap().set('type', 'Something').set('content-type', 'application/json').set('created', '16000000000000000');
  recorded.setCustomMetadata(Buffer.from(JSON.stringify(meta)));
  recorded.setData(Buffer.from('{}'));
  const read = new ReadResp.ReadEvent();
  read.setEvent(recorded);
  read.setCommitPosition(String(n + 1));
  const resp = new ReadResp();
  resp.setEvent(read);
  return resp;
};

/** Event n of the 'log' mode: school `t<n % TENANTS>`, one stream each, at position n + 1. */
const logEvent = (n: number) => {
  const tenant = `t${n % TENANTS}`;
  return eventAt(n, { actor: 'a', at: '2026-01-01T00:00:00.000Z', tenant, schemaVersion: 1, prevHash: '0'.repeat(64), hash: 'f'.repeat(64) }, `${tenant}:document:d`, Math.floor(n / TENANTS));
};

type ReadOptions = {
  getAll(): { getPosition(): { getCommitPosition(): string } | undefined; hasEnd(): boolean } | undefined;
  getReadDirection(): number;
  getCount(): string;
  getSubscription(): unknown;
  getFilter(): { getStreamIdentifier(): { getPrefixList(): string[] } | undefined; getMax(): number } | undefined;
};

/**
 * $all as EventStoreDB serves it, for what the adapter asks: a read (forwards from a position, or
 * the last event), and a subscription filtered by stream prefix, which sends only the matching
 * events, a checkpoint after each search window scanned, `caughtUp` at the end, then stays open.
 */
const serveLog = (call: grpc.ServerWritableStream<unknown, unknown>, done: () => void) => {
  const options = (call.request as { getOptions(): ReadOptions }).getOptions();
  const all = options.getAll()!;
  const at = all.getPosition() ? Number(all.getPosition()!.getCommitPosition()) : all.hasEnd() ? LOG_EVENTS : 0;
  if (!options.getSubscription()) {
    if (options.getReadDirection() === 1) call.write(logEvent(LOG_EVENTS - 1));
    else for (let n = Math.max(at - 1, 0), end = Math.min(LOG_EVENTS, n + Number(options.getCount())); n < end; n++) call.write(logEvent(n));
    call.end();
    done();
    return;
  }
  // A subscription that is opened and then says nothing, not even a checkpoint.
  if (mode === 'logSilentSubscriptions') return;
  const prefixes = options.getFilter()?.getStreamIdentifier()?.getPrefixList() ?? [];
  const window = options.getFilter()?.getMax() || 32;
  const checkpoint = (position: number) => {
    const resp = new ReadResp();
    const c = new ReadResp.Checkpoint();
    c.setCommitPosition(String(position));
    c.setPreparePosition(String(position));
    resp.setCheckpoint(c);
    call.write(resp);
  };
  // A subscription starts after the position it is given.
  let scanned = 0;
  for (let n = at; n < LOG_EVENTS; n++) {
    if (prefixes.length === 0 || prefixes.some((p) => `t${n % TENANTS}:document:d`.startsWith(p))) call.write(logEvent(n));
    if (++scanned % window === 0) checkpoint(n + 1);
  }
  checkpoint(LOG_EVENTS);
  const caughtUp = new ReadResp();
  caughtUp.setCaughtUp(new ReadResp.CaughtUp());
  call.write(caughtUp);
};

type AppendRequest = {
  hasOptions(): boolean;
  getOptions(): { getStreamIdentifier(): { getStreamName_asU8(): Uint8Array } };
  getProposedMessage(): { getMetadataMap(): { get(key: string): string | undefined }; getData_asU8(): Uint8Array; getCustomMetadata_asU8(): Uint8Array };
};

/** An append as EventStoreDB answers one it accepts: the stream's new revision and a position. */
const takeAppend = (call: grpc.ServerReadableStream<AppendRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
  let stream = '';
  const events: { type: string; data: unknown; meta: Record<string, unknown> }[] = [];
  call.on('data', (req: AppendRequest) => {
    if (req.hasOptions()) stream = Buffer.from(req.getOptions().getStreamIdentifier().getStreamName_asU8()).toString();
    else {
      const message = req.getProposedMessage();
      const meta = Buffer.from(message.getCustomMetadata_asU8()).toString();
      events.push({ type: message.getMetadataMap().get('type') ?? '', data: JSON.parse(Buffer.from(message.getData_asU8()).toString() || 'null'), meta: meta ? JSON.parse(meta) : {} });
    }
  });
  call.on('end', () => {
    appended.push({ stream, events });
    const revision = appended.filter((a) => a.stream === stream).reduce((n, a) => n + a.events.length, 0) - 1;
    const success = new AppendResp.Success();
    success.setCurrentRevision(String(revision));
    const position = new AppendResp.Position();
    position.setCommitPosition(String(appended.length));
    position.setPreparePosition(String(appended.length));
    success.setPosition(position);
    const resp = new AppendResp();
    resp.setSuccess(success);
    callback(null, resp);
  });
};

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(StreamsService, {
    append: takeAppend,
    read: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      open += 1;
      let closed = false;
      const done = () => {
        if (!closed) open -= 1;
        closed = true;
      };
      call.on('cancelled', done);
      call.on('close', done);
      calls += 1;
      if (mode === 'stall') return;
      if (mode === 'notLeaderOnce' && calls === 1) {
        // What a follower answers after an election: the client reconnects to the leader it names.
        const metadata = new grpc.Metadata();
        metadata.set('exception', 'not-leader');
        metadata.set('leader-endpoint-host', '127.0.0.1');
        metadata.set('leader-endpoint-port', String(port));
        call.emit('error', { code: grpc.status.NOT_FOUND, details: 'Leader info available', metadata });
        done();
        return;
      }
      if (mode === 'log' || mode === 'logSilentSubscriptions') return serveLog(call, done);
      if (mode === 'store') {
        // A stream as appended here: forwards whole, or backwards its last event.
        const options = (call.request as { getOptions(): { getStream(): { getStreamIdentifier(): { getStreamName_asU8(): Uint8Array } }; getReadDirection(): number } }).getOptions();
        const name = Buffer.from(options.getStream().getStreamIdentifier().getStreamName_asU8()).toString();
        const stored = appended.filter((a) => a.stream === name).flatMap((a) => a.events);
        const picked = options.getReadDirection() === 1 ? stored.slice(-1).map((e) => [e, stored.length - 1] as const) : stored.map((e, i) => [e, i] as const);
        for (const [e, revision] of picked) call.write(eventAt(revision, e.meta, name, revision));
        call.end();
        done();
        return;
      }
      if (mode === 'stream') {
        const options = (call.request as { getOptions(): { getStream(): { getRevision(): string } | undefined; getCount(): string } }).getOptions();
        const from = Number(options.getStream()?.getRevision() ?? '0');
        const count = Number(options.getCount());
        for (let n = from; n < Math.min(STREAM_LENGTH, from + count); n++) call.write(eventAt(n));
        call.end();
        done();
        return;
      }
      if (mode === 'malformed') {
        // Written by something else than us: no actor in its metadata.
        call.write(eventAt(0, { at: '2026-01-01T00:00:00.000Z', tenant: 'school', hash: 'f'.repeat(64) }));
        call.end();
        done();
        return;
      }
      // Far more than a page: the adapter stops at its limit, and must say so to the server.
      let n = 0;
      const pump = () => {
        while (!closed && n < 5000) if (!call.write(eventAt(n++))) return void call.once('drain', pump);
        if (!closed) {
          call.end();
          done();
        }
      };
      pump();
    },
  });
  port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  url = `esdb://127.0.0.1:${port}?tls=false`;
});
afterAll(() => server.forceShutdown());

const settled = async () => {
  for (let i = 0; i < 100 && open > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return open;
};

describe('EventStoreDB adapter against a stand-in server', () => {
  it('cancels a read of $all it stops at its limit: no call is left open', async () => {
    mode = 'endless';
    const store = new EsdbEventStore(url, { timeoutMs: 3000 });
    try {
      for (let i = 0; i < 5; i++) {
        const page = await store.readAll({ limit: 3 });
        expect(page._unsafeUnwrap()).toHaveLength(3);
      }
      expect(await settled()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('a read that stalls times out as STORE_UNAVAILABLE and is cancelled on the server', async () => {
    mode = 'stall';
    const store = new EsdbEventStore(url, { timeoutMs: 300 });
    try {
      const started = Date.now();
      const result = await store.readStream('school:document:x');
      expect(result._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await settled()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('a position it never gives out is INVALID_POSITION (a 400), not STORE_UNAVAILABLE, and asks nothing of the server', async () => {
    mode = 'endless';
    const store = new EsdbEventStore(url, { timeoutMs: 3000 });
    try {
      for (const bad of [-1n, packPosition(1n << 64n, 0n), packPosition(5n, 6n)]) {
        expect(isPosition(bad)).toBe(false);
        expect((await store.readAll({ after: bad, limit: 3 }))._unsafeUnwrapErr()).toEqual({ code: 'INVALID_POSITION', position: String(bad) });
      }
      expect(isPosition(packPosition(6n, 5n))).toBe(true);
      expect(isPosition(packPosition(6n, 6n))).toBe(true);
      expect(await settled()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('a stored event that cannot be read is refused loudly, naming it, never dropped (its stream would conflict for ever)', async () => {
    mode = 'malformed';
    const told: unknown[] = [];
    const store = new EsdbEventStore(url, { timeoutMs: 3000, onMalformed: (w) => void told.push(w) });
    try {
      const read = (await store.readStream('school:document:stand-in'))._unsafeUnwrapErr();
      expect(read).toEqual({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/^the stored event 00000000-0000-4000-8000-000000000000 \(stream school:document:stand-in, revision 0\) cannot be read: its metadata names no actor$/) });
      expect((await store.readAll({ limit: 10 }))._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(told).toEqual([
        { stream: 'school:document:stand-in', id: '00000000-0000-4000-8000-000000000000', revision: 0, reason: 'its metadata names no actor' },
        { stream: 'school:document:stand-in', id: '00000000-0000-4000-8000-000000000000', revision: 0, reason: 'its metadata names no actor' },
      ]);
    } finally {
      await store.close();
    }
  });

  it('a read answered "not leader" after an election is tried again on the leader, not answered 503', async () => {
    mode = 'notLeaderOnce';
    calls = 0;
    const store = new EsdbEventStore(url, { timeoutMs: 3000 });
    try {
      const page = await store.readAll({ limit: 3 });
      expect(page._unsafeUnwrap()).toHaveLength(3);
      expect(calls).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('reads a long stream a page at a time, each page its own bounded call, in order and whole', async () => {
    mode = 'stream';
    calls = 0;
    const store = new EsdbEventStore(url, { timeoutMs: 3000 });
    try {
      const events = (await store.readStream('school:document:stand-in'))._unsafeUnwrap();
      expect(events).toHaveLength(STREAM_LENGTH);
      expect(events.every((e, i) => e.revision === i)).toBe(true);
      // 1,000 + 1,000 + 500: three calls, none holding the whole stream.
      expect(calls).toBe(3);
      expect(await settled()).toBe(0);
    } finally {
      await store.close();
    }
  });

  describe('one school\'s events, among 100 schools in $all (issue 31)', () => {
    it('are filtered by the server: the adapter reads about a hundredth of the log, in order, each once', async () => {
      mode = 'log';
      const store = new EsdbEventStore(url, { timeoutMs: 3000 });
      try {
        const mine = (await store.readAll({ tenant: 't7', limit: 10_000 }))._unsafeUnwrap();
        expect(mine).toHaveLength(LOG_EVENTS / TENANTS);
        expect(mine.every((e) => e.meta.tenant === 't7' && e.stream === 't7:document:d')).toBe(true);
        expect(mine.map((e) => e.revision)).toEqual(Array.from({ length: LOG_EVENTS / TENANTS }, (_, i) => i));
        expect(store.eventsReadFromAll).toBe(LOG_EVENTS / TENANTS);
        // Without a tenant the whole log crosses: the figure the filter divides by 100.
        const before = store.eventsReadFromAll;
        expect((await store.readAll({ limit: 10_000 }))._unsafeUnwrap()).toHaveLength(LOG_EVENTS);
        // (each page of 1,000 starts at the last one's position again: 4 more)
        expect(store.eventsReadFromAll - before).toBeGreaterThanOrEqual(LOG_EVENTS);
        expect(await settled()).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('a page stops at its limit and the next goes on from its last position, the subscription cancelled each time', async () => {
      mode = 'log';
      const store = new EsdbEventStore(url, { timeoutMs: 3000 });
      try {
        const pages: number[][] = [];
        let after: bigint | undefined;
        for (;;) {
          const page = (await store.readAll({ tenant: 't42', limit: 15, ...(after === undefined ? {} : { after }) }))._unsafeUnwrap();
          console.log('page', page.length, after);
          if (page.length === 0) break;
          pages.push(page.map((e) => e.revision));
          after = page.at(-1)!.position;
        }
        console.log('done pages', open);
        expect(pages.map((p) => p.length)).toEqual([15, 15, 10]);
        expect(pages.flat()).toEqual(Array.from({ length: LOG_EVENTS / TENANTS }, (_, i) => i));
        expect(await settled()).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('only the types asked for; a school with no events reads nothing and ends at the head', async () => {
      mode = 'log';
      const store = new EsdbEventStore(url, { timeoutMs: 3000 });
      try {
        expect((await store.readAll({ tenant: 't3', types: ['Nothing'], limit: 10 }))._unsafeUnwrap()).toEqual([]);
        expect((await store.readAll({ tenant: 't3', types: ['Something'], limit: 100 }))._unsafeUnwrap()).toHaveLength(LOG_EVENTS / TENANTS);
        expect((await store.readAll({ tenant: 'nobody', limit: 10 }))._unsafeUnwrap()).toEqual([]);
        expect(await settled()).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('a filtered read that stalls fails as STORE_UNAVAILABLE within its timeout, and is cancelled', async () => {
      const store = new EsdbEventStore(url, { timeoutMs: 300 });
      try {
        // The head is read; the subscription then meets a server that says nothing.
        mode = 'logSilentSubscriptions';
        const started = Date.now();
        expect((await store.readAll({ tenant: 't1', limit: 10 }))._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: 'EventStoreDB did not answer within 300 ms' });
        expect(Date.now() - started).toBeLessThan(3000);
        expect(await settled()).toBe(0);
      } finally {
        await store.close();
      }
    });
  });

  it('sets $maxCount on a lease stream after its first append, once per process, and on no other stream (issue 31)', async () => {
    appended.length = 0;
    mode = 'store';
    const store = new EsdbEventStore(url, { timeoutMs: 3000, maxCountOf: (stream) => (stream.endsWith('-lease') ? 100 : undefined) });
    const event = (id: string) => ({ id, type: 'MailLeaseTaken', data: { holder: 'node-a' }, meta: { actor: 'system', at: '2026-12-01T10:00:00.000Z', tenant: 'school', schemaVersion: 3 } });
    try {
      (await store.append('school:mail-lease', [event('00000000-0000-4000-8000-0000000000a1')], 'no-stream'))._unsafeUnwrap();
      (await store.append('school:mail-lease', [event('00000000-0000-4000-8000-0000000000a2')], { revision: 0 }))._unsafeUnwrap();
      (await store.append('school:document:d1', [event('00000000-0000-4000-8000-0000000000a3')], 'no-stream'))._unsafeUnwrap();
      expect(appended.map((a) => [a.stream, a.events.map((e) => e.type)])).toEqual([
        ['school:mail-lease', ['MailLeaseTaken']],
        ['$$school:mail-lease', ['$metadata']],
        ['school:mail-lease', ['MailLeaseTaken']],
        ['school:document:d1', ['MailLeaseTaken']],
      ]);
      expect(appended[1]!.events[0]!.data).toMatchObject({ $maxCount: 100 });
    } finally {
      await store.close();
    }
  });
});
