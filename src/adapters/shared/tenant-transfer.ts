import type { Readable, Writable } from 'node:stream';
import { err, ok, type Result } from 'neverthrow';
import { z } from 'zod';
import type { BlobStore } from '../../application/ports/blob-store.js';
import type { EventStore, NewEvent, RecordedEvent, StreamAppend } from '../../application/ports/event-store.js';
import { keyTenant, type KeyStore } from '../../application/ports/key-store.js';
import type { NotaryLedger, SignedCheckpoint } from '../../application/ports/notary.js';
import { scanLog } from '../../application/read-log.js';
import { TENANT_PATTERN } from '../../application/streams.js';
import { blobKey, parseBlobKey } from './blob-keys.js';
import { describeError } from './describe-error.js';
import { keysNamedBy } from './shredding-event-store.js';
import { ARCHIVE_FORMAT, archiveEntries, ArchiveError, archiveWriter, type ArchiveEntry } from './tenant-archive.js';

/**
 * A school carried from one deployment to another (ADR 54): its events as stored (sealed fields
 * stay sealed), its live data keys, its blobs, and the checkpoints its notary signed, in one archive
 * sealed with a transfer key. The target appends the events with their own ids, stream by stream in
 * the source's order, so every hash and every link of the school's chain comes out the same there,
 * and the source's signed checkpoints verify on the target.
 */
export type TransferStores = {
  /** The log as stored: sealed fields left sealed (nothing is opened on the way). */
  readonly events: EventStore;
  readonly keys: Pick<KeyStore, 'findAll' | 'put'>;
  readonly blobs: BlobStore;
  readonly notary: NotaryLedger;
  readonly publicKeyPem: string;
};

export type TransferError = { readonly code: 'TENANT_EXISTS' | 'INVALID_ARCHIVE' | 'STORE_FAILED'; readonly message: string };
class TransferFailure extends Error {
  constructor(readonly failure: TransferError) {
    super(failure.message);
  }
}
const fail = (code: TransferError['code'], message: string): never => {
  throw new TransferFailure({ code, message });
};

export type Progress = (p: { step: 'keys' | 'blobs' | 'events'; done: number }) => void;

/** Events per entry: a thousand events of a school are some hundreds of kilobytes, held once. */
const EVENTS_PER_ENTRY = 1000;
const KEYS_PER_ENTRY = 1000;
const entryName = (kind: 'events' | 'keys', n: number) => `${kind}/${String(n).padStart(6, '0')}.jsonl`;

type Ends = { id: string; hash: string };
type ExportedEvent = Pick<RecordedEvent, 'id' | 'stream' | 'revision' | 'type' | 'data' | 'meta' | 'prevHash' | 'hash'>;

export type ExportReport = { tenant: string; events: number; keys: number; erasedKeys: number; blobs: number; blobBytes: number; checkpoints: number };

const run = async <T>(work: () => Promise<T>): Promise<Result<T, TransferError>> => {
  try {
    return ok(await work());
  } catch (e) {
    if (e instanceof TransferFailure) return err(e.failure);
    if (e instanceof ArchiveError) return err({ code: 'INVALID_ARCHIVE', message: e.message });
    return err({ code: 'STORE_FAILED', message: (e as Error).message });
  }
};

const unwrapped = async <T, E extends { code: string }>(result: PromiseLike<Result<T, E>>): Promise<T> => {
  const r = await result;
  return r.isOk() ? r.value : fail('STORE_FAILED', describeError(r.error));
};

/**
 * Writes one school to `out`. The events are read twice: first for the keys they name, then to be
 * written, up to where the first reading ended, so no event names a key the archive lacks. A key
 * the school erased is absent, so what it sealed stays unreadable wherever the archive goes. The
 * notary runs first (`notarize`), so a checkpoint signed now covers the whole school.
 */
export const exportTenant = (
  stores: TransferStores,
  tenant: string,
  transferKey: Buffer,
  out: Writable,
  options: { notarize: () => Promise<Result<unknown, { readonly code: string }>>; onProgress?: Progress; now?: () => string; eventsPerEntry?: number },
): Promise<Result<ExportReport, TransferError>> =>
  run(async () => {
    await unwrapped(options.notarize());
    let count = 0;
    let first: Ends | undefined;
    let upTo = 0n;
    const keyIds = new Set<string>();
    await unwrapped(
      scanLog(stores.events, { tenant }, (event) => {
        count += 1;
        first ??= { id: event.id, hash: event.hash };
        upTo = event.position;
        for (const { keyId } of keysNamedBy(event)) keyIds.add(keyId);
      }),
    );
    if (count === 0) fail('INVALID_ARCHIVE', `this deployment holds no event of ${tenant}`);

    const archive = archiveWriter(tenant, transferKey, out);
    await archive.json('manifest.json', { format: ARCHIVE_FORMAT, tenant, exportedAt: (options.now ?? (() => new Date().toISOString()))(), firstEvent: first });

    const ids = [...keyIds].sort();
    let keys = 0;
    for (let i = 0; i < ids.length; i += KEYS_PER_ENTRY) {
      const found = await stores.keys.findAll(ids.slice(i, i + KEYS_PER_ENTRY));
      const entries = [...found].map(([id, key]) => ({ id, key: key.toString('base64') }));
      keys += entries.length;
      await archive.lines(entryName('keys', i / KEYS_PER_ENTRY + 1), entries);
      options.onProgress?.({ step: 'keys', done: keys });
    }

    let blobs = 0;
    let blobBytes = 0;
    for await (const { key } of stores.blobs.list(tenant)) {
      const address = parseBlobKey(key);
      if (!address || address.tenant !== tenant) continue;
      const blob = await stores.blobs.get(key);
      if (blob.isErr()) {
        // Swept between the listing and now: no event refers to it.
        if (blob.error.code === 'BLOB_NOT_FOUND') continue;
        return fail('STORE_FAILED', describeError(blob.error));
      }
      const { stream, sizeBytes } = blob.value;
      await archive.stream(`blobs/${address.sha256}`, sizeBytes, stream);
      blobs += 1;
      blobBytes += sizeBytes;
      options.onProgress?.({ step: 'blobs', done: blobs });
    }

    const perEntry = options.eventsPerEntry ?? EVENTS_PER_ENTRY;
    let written = 0;
    let last: Ends | undefined;
    let batch: ExportedEvent[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      written += batch.length;
      await archive.lines(entryName('events', Math.ceil(written / perEntry)), batch);
      batch = [];
      options.onProgress?.({ step: 'events', done: written });
    };
    await unwrapped(
      scanLog(stores.events, { tenant }, async (event) => {
        if (event.position > upTo) return 'stop';
        batch.push({ id: event.id, stream: event.stream, revision: event.revision, type: event.type, data: event.data, meta: event.meta, prevHash: event.prevHash, hash: event.hash });
        last = { id: event.id, hash: event.hash };
        if (batch.length === perEntry) await flush();
        return undefined;
      }),
    );
    await flush();

    // Those that sign no more than what the archive holds (all of them, but for a race with the notary).
    const checkpoints = stores.notary.checkpoints(tenant, Number.MAX_SAFE_INTEGER).filter((c) => c.seq <= written);
    await archive.json('checkpoints.json', { publicKey: stores.publicKeyPem, checkpoints });
    await archive.json('end.json', { events: written, keys, blobs, lastEvent: last });
    await archive.end();
    return { tenant, events: written, keys, erasedKeys: ids.length - keys, blobs, blobBytes, checkpoints: checkpoints.length };
  });

const endsSchema = z.object({ id: z.string(), hash: z.string() });
const manifestSchema = z.object({ format: z.literal(ARCHIVE_FORMAT), tenant: z.string().regex(TENANT_PATTERN), exportedAt: z.string(), firstEvent: endsSchema });
const endSchema = z.object({ events: z.number().int().nonnegative(), keys: z.number().int().nonnegative(), blobs: z.number().int().nonnegative(), lastEvent: endsSchema.optional() });
const keySchema = z.object({ id: z.string().min(1), key: z.string() });
const eventSchema = z.object({
  id: z.string().min(1),
  stream: z.string().min(1),
  revision: z.number().int().nonnegative(),
  type: z.string().min(1),
  data: z.unknown(),
  meta: z.looseObject({ actor: z.string(), at: z.string(), tenant: z.string(), schemaVersion: z.number() }),
  prevHash: z.string(),
  hash: z.string(),
});
const checkpointsSchema = z.object({
  publicKey: z.string(),
  checkpoints: z.array(z.object({ tenant: z.string(), seq: z.number().int().positive(), position: z.string(), head: z.string(), at: z.string(), keyId: z.string(), signature: z.string() })),
});

const parsed = <T>(schema: z.ZodType<T>, value: unknown, where: string): T => {
  const r = schema.safeParse(value);
  return r.success ? r.data : fail('INVALID_ARCHIVE', `${where} is not what a tenant archive holds: ${r.error.issues[0]?.message ?? 'invalid'}`);
};

export type ImportReport = {
  tenant: string;
  events: number;
  /** Events the target held already from an earlier, interrupted import of the same archive. */
  alreadyThere: number;
  keys: number;
  blobs: number;
  /** The source's signed checkpoints and the key they verify with: what an auditor holds the target to. */
  checkpoints: { publicKey: string; checkpoints: SignedCheckpoint[] };
};

/**
 * Reads an archive into this deployment: keys, then blobs, then events, so no event is ever here
 * before what it needs. A school this deployment already holds is refused, unless what it holds is
 * the start of the same archive (an import that stopped): then it goes on from there. Each event the
 * target stores must hash as it did on the source, or the import stops naming it.
 */
export type ImportOptions = {
  readonly onProgress?: Progress;
  /** Told the school once it is known and before anything of it is written here (the cell's jobs then leave it alone). */
  readonly beforeWriting?: (tenant: string) => Promise<void>;
};

export const importTenant = (stores: TransferStores, transferKey: Buffer, input: Readable, options: ImportOptions = {}): Promise<Result<ImportReport, TransferError>> =>
  run(async () => {
    let tenant = '';
    const entries = archiveEntries(input, transferKey, () => tenant);
    try {
      return await readArchive(stores, entries, options, (named) => (tenant = named));
    } finally {
      // Stopped early or not, the archive's input is let go.
      await entries.return(undefined);
    }
  });

/** The entries in order; `named` learns the school from the manifest, which the next entries are bound to. */
const readArchive = async (stores: TransferStores, entries: AsyncGenerator<ArchiveEntry>, options: ImportOptions, named: (tenant: string) => void): Promise<ImportReport> => {
  const head = await entries.next();
  if (head.done || head.value.name !== 'manifest.json') return fail('INVALID_ARCHIVE', 'a tenant archive starts with its manifest');
  const manifest = parsed(manifestSchema, await head.value.json(), 'manifest.json');
  const tenant = manifest.tenant;
  named(tenant);

  // What the target holds of the school already, read as the archive's events come.
  const there = await unwrapped(stores.events.readAll({ tenant, limit: 1 }));
  if (there[0] && (there[0].id !== manifest.firstEvent.id || there[0].hash !== manifest.firstEvent.hash)) {
    fail('TENANT_EXISTS', `this deployment already holds ${tenant}, with another history: nothing was imported`);
  }
  await options.beforeWriting?.(tenant);
  let lastPosition: bigint | undefined;
  let targetDone = there.length === 0;
  let pending: RecordedEvent[] = [];
  const nextThere = async (): Promise<RecordedEvent | undefined> => {
    if (pending.length === 0 && !targetDone) {
      pending = await unwrapped(stores.events.readAll({ tenant, after: lastPosition, limit: EVENTS_PER_ENTRY }));
      if (pending.length < EVENTS_PER_ENTRY) targetDone = true;
    }
    return pending.shift();
  };

  let keys = 0;
  let blobs = 0;
  let events = 0;
  let alreadyThere = 0;
  let last: Ends | undefined;
  let checkpoints: ImportReport['checkpoints'] | undefined;
  let end: z.infer<typeof endSchema> | undefined;

  const importEvents = async (entry: ArchiveEntry) => {
    const fresh: ExportedEvent[] = [];
    for (const [i, line] of (await entry.lines()).entries()) {
      const event = parsed(eventSchema, line, `${entry.name}, line ${i + 1}`);
      if (event.meta.tenant !== tenant || !event.stream.startsWith(`${tenant}:`)) fail('INVALID_ARCHIVE', `${entry.name}, line ${i + 1}: an event of another school`);
      events += 1;
      last = { id: event.id, hash: event.hash };
      const held = fresh.length === 0 ? await nextThere() : undefined;
      if (held) {
        if (held.id !== event.id || held.hash !== event.hash) fail('TENANT_EXISTS', `this deployment holds ${tenant} with another history from event ${held.id} on`);
        lastPosition = held.position;
        alreadyThere += 1;
        continue;
      }
      fresh.push(event as ExportedEvent);
    }
    if (fresh.length === 0) return;
    // Runs of one stream, in the source's order: the school's chain is the same only in that order.
    const appends: StreamAppend[] = [];
    for (const event of fresh) {
      const run = appends.at(-1);
      const stored: NewEvent = { id: event.id, type: event.type, data: event.data, meta: event.meta };
      if (run && run.stream === event.stream) (run.events as NewEvent[]).push(stored);
      else appends.push({ stream: event.stream, events: [stored], expected: event.revision === 0 ? 'no-stream' : { revision: event.revision - 1 } });
    }
    const results = await unwrapped(stores.events.appendMany(appends));
    results.forEach((r, i) => {
      if (r.isErr()) fail('STORE_FAILED', `appending to ${appends[i]!.stream}: ${describeError(r.error)}`);
    });
    const stored = await unwrapped(stores.events.readAll({ tenant, after: lastPosition, limit: fresh.length }));
    fresh.forEach((event, i) => {
      const got = stored[i];
      if (got?.id !== event.id || got.hash !== event.hash)
        fail('INVALID_ARCHIVE', `event ${event.id} (${event.stream}, revision ${event.revision}) hashes here as ${got?.hash ?? 'nothing'}, not ${event.hash}: the import stops`);
    });
    lastPosition = stored.at(-1)!.position;
    options.onProgress?.({ step: 'events', done: events });
  };

  for (let next = await entries.next(); !next.done; next = await entries.next()) {
    const entry = next.value;
    if (end) fail('INVALID_ARCHIVE', `${entry.name} comes after the archive's end`);
    if (/^keys\/\d{6}\.jsonl$/.test(entry.name)) {
      const carried = (await entry.lines()).map((line, i) => {
        const k = parsed(keySchema, line, `${entry.name}, line ${i + 1}`);
        const owner = keyTenant(k.id);
        // A key of another school never comes in with this one (ADR 37); keys made before then name none.
        if (owner !== undefined && owner !== tenant) fail('INVALID_ARCHIVE', `${entry.name}: key ${k.id} is another school's`);
        return { id: k.id, key: Buffer.from(k.key, 'base64') };
      });
      await stores.keys.put(carried);
      keys += carried.length;
      options.onProgress?.({ step: 'keys', done: keys });
    } else if (entry.name.startsWith('blobs/')) {
      const sha256 = entry.name.slice('blobs/'.length);
      const key = blobKey(tenant, sha256);
      if (!parseBlobKey(key)) fail('INVALID_ARCHIVE', `${entry.name} is not a blob's name`);
      blobs += 1;
      if (await unwrapped(stores.blobs.exists(key))) {
        await entry.skip();
        continue;
      }
      const staged = await stores.blobs.stage(tenant, entry.content(), Number.MAX_SAFE_INTEGER);
      if (staged.isErr()) {
        // The opened stream's own failure (a changed entry) says more than the store's wrapping of it.
        return fail('INVALID_ARCHIVE', `${entry.name}: ${describeError(staged.error)}`);
      }
      if (staged.value.sha256 !== sha256) {
        await staged.value.discard();
        fail('INVALID_ARCHIVE', `${entry.name} does not hold the bytes its name says`);
      }
      await unwrapped(staged.value.commit());
      await staged.value.settle();
      options.onProgress?.({ step: 'blobs', done: blobs });
    } else if (/^events\/\d{6}\.jsonl$/.test(entry.name)) {
      await importEvents(entry);
    } else if (entry.name === 'checkpoints.json') {
      checkpoints = parsed(checkpointsSchema, await entry.json(), entry.name);
      if (checkpoints.checkpoints.some((c) => c.tenant !== tenant)) fail('INVALID_ARCHIVE', 'checkpoints.json holds another school’s checkpoint');
    } else if (entry.name === 'end.json') {
      end = parsed(endSchema, await entry.json(), entry.name);
    } else {
      fail('INVALID_ARCHIVE', `${entry.name} is not part of a tenant archive`);
    }
  }
  if (!end) return fail('INVALID_ARCHIVE', `the archive ends early, after ${events} events: run the import again with the whole archive, it goes on from where it stopped`);
  if (end.events !== events || end.keys !== keys || end.blobs !== blobs || end.lastEvent?.id !== last?.id || end.lastEvent?.hash !== last?.hash) {
    fail('INVALID_ARCHIVE', `the archive says ${end.events} events, ${end.keys} keys and ${end.blobs} blobs, and holds ${events}, ${keys} and ${blobs}`);
  }
  if (!checkpoints) return fail('INVALID_ARCHIVE', 'the archive holds no checkpoints.json');
  return { tenant, events: events - alreadyThere, alreadyThere, keys, blobs, checkpoints };
};
