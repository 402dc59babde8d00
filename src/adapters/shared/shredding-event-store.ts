import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { okAsync, ResultAsync } from 'neverthrow';
import type { EventStore, NewEvent, ReplayedEvent, StoreError, StreamAppend } from '../../application/ports/event-store.js';
import { keyTenant, type KeyStore, type Shredder } from '../../application/ports/key-store.js';

/** What a field reads as once its subject's key is gone. */
export const ERASED = '[erased]';

type Data = Record<string, unknown>;

/**
 * The sealed form (ADR 24): the holder of a subject's fields loses those fields and gains
 * `$sealed`: the key's id, the fields' paths (names, never values) and one AES-256-GCM box of
 * all their values, bound to the subject and the event type. One box per subject per event, so an
 * event costs one cipher whatever its number of fields.
 */
type Box = { readonly k: string; readonly f: readonly string[]; readonly b: string };
const isBox = (v: unknown): v is Box => typeof v === 'object' && v !== null && typeof (v as Box).k === 'string' && typeof (v as Box).b === 'string' && Array.isArray((v as Box).f);
/** Before ADR 24 each field was sealed alone, with the subject's own key (`{ $sealed: 'v1:…' }`). */
type FieldV1 = { readonly $sealed: string };
const isFieldV1 = (v: unknown): v is FieldV1 => typeof v === 'object' && v !== null && typeof (v as FieldV1).$sealed === 'string';

/** Where a subject's fields are in an event: the object that holds them (the data itself, or the `index`th user), whose they are, and their paths in it. */
type Holder = { readonly at: Data; readonly subject: string; readonly fields: readonly string[]; readonly index: number };
type Rule = { readonly subject: (holder: Data) => string | undefined; readonly fields: readonly string[] };

const ofDocument: Rule['subject'] = (d) => (typeof d['documentId'] === 'string' ? `doc:${d['documentId']}` : undefined);
const ofCollection: Rule['subject'] = (d) => (typeof d['collectionId'] === 'string' ? `collection:${d['collectionId']}` : undefined);
const ofPerson: Rule['subject'] = (u) => (typeof u['id'] === 'string' ? `person:${u['id']}` : undefined);

/**
 * The personal and descriptive fields of each event type: titles, memos, file names and cloud paths
 * under the document's key; names and e-mails under the person's; a collection request's title and
 * instructions under its own. Ids, types, times and everything rules decide on stay in clear.
 */
const RULES: Record<string, Rule> = {
  DocumentDeposited: { subject: ofDocument, fields: ['title', 'memo', 'content.fileName', 'cloud.path'] },
  DocumentCarriedOver: { subject: ofDocument, fields: ['title', 'memo', 'content.fileName'] },
  DocumentUpdated: { subject: ofDocument, fields: ['content.fileName', 'cloud.path'] },
  CarriedDocumentRefreshed: { subject: ofDocument, fields: ['memo', 'content.fileName'] },
  MemoChanged: { subject: ofDocument, fields: ['memo'] },
  CollectionCreated: { subject: ofCollection, fields: ['title', 'instructions'] },
  // The name of a file someone tried to upload, infected: theirs, erased with them.
  InfectedUploadRefused: { subject: (d) => (typeof d['userId'] === 'string' ? `person:${d['userId']}` : undefined), fields: ['fileName'] },
};
/** The directory's people: each user's name and e-mail under that person's key. */
const PEOPLE: Rule = { subject: ofPerson, fields: ['displayName', 'email'] };

/** Events that carry people of the directory in `users` (a whole directory, or a part of one). */
const DIRECTORY_TYPES: ReadonlySet<string> = new Set(['DirectorySynced', 'DirectoryPartStaged']);
const sealable = (type: string) => RULES[type] !== undefined || DIRECTORY_TYPES.has(type);

const NONE: readonly Holder[] = [];
/** The holders of an event's data: none for an event with nothing to seal. */
const holders = (type: string, raw: unknown): readonly Holder[] => {
  if (!sealable(type) || !raw || typeof raw !== 'object') return NONE;
  const data = raw as Data;
  if (DIRECTORY_TYPES.has(type)) {
    const users = data['users'];
    if (!Array.isArray(users)) return NONE;
    const found: Holder[] = [];
    users.forEach((u: Data, index) => {
      const subject = u && typeof u === 'object' ? PEOPLE.subject(u) : undefined;
      if (subject) found.push({ at: u, subject, fields: PEOPLE.fields, index });
    });
    return found;
  }
  const rule = RULES[type];
  const subject = rule?.subject(data);
  return rule && subject ? [{ at: data, subject, fields: rule.fields, index: -1 }] : NONE;
};
/** The data with these holders replaced (a map from holder index to its new version); nothing is changed in place. */
const replaced = (data: Data, changes: ReadonlyMap<number, Data>): Data => {
  if (changes.size === 0) return data;
  const root = changes.get(-1);
  if (root) return root;
  const users = [...(data['users'] as Data[])];
  for (const [i, next] of changes) users[i] = next;
  return { ...data, users };
};

const segments = new Map<string, readonly string[]>();
const pathOf = (path: string): readonly string[] => {
  let found = segments.get(path);
  if (!found) segments.set(path, (found = path.split('.')));
  return found;
};
const get = (o: Data, path: string): unknown => {
  let v: unknown = o;
  for (const k of pathOf(path)) v = v && typeof v === 'object' ? (v as Data)[k] : undefined;
  return v;
};
/**
 * A copy of `o` without these paths (nested ones copy the objects on their way). Built key by key
 * rather than copied and `delete`d: a deleted property turns a V8 object into a slow dictionary,
 * which every later step (canonical JSON, hashing, the projections) then pays for.
 */
const without = (o: Data, paths: readonly string[]): Data => {
  const out: Data = {};
  for (const key of Object.keys(o)) {
    if (paths.includes(key)) continue;
    const v = o[key];
    let nested: string[] | undefined;
    for (const p of paths) if (p.length > key.length + 1 && p.charCodeAt(key.length) === 46 /* . */ && p.startsWith(key)) (nested ??= []).push(p.slice(key.length + 1));
    out[key] = nested && v && typeof v === 'object' && !Array.isArray(v) ? without(v as Data, nested) : v;
  }
  return out;
};

/** A holder with something sealed in it: a box, fields sealed one by one before ADR 24, or both. */
type Sealed = { readonly holder: Holder; readonly box: Box | undefined; readonly v1: readonly string[] | undefined };
/** The holders of an event with something to open, or undefined when there is none. */
const sealedIn = (e: ReplayedEvent): Sealed[] | undefined => {
  let found: Sealed[] | undefined;
  for (const holder of holders(e.type, e.data)) {
    const box = holder.at['$sealed'];
    let v1: string[] | undefined;
    for (const field of holder.fields) if (isFieldV1(get(holder.at, field))) (v1 ??= []).push(field);
    if (isBox(box) || v1) (found ??= []).push({ holder, box: isBox(box) ? box : undefined, v1 });
  }
  return found;
};
/**
 * The keys a stored (sealed) event names, with the subject each seals for: a box's key, or the
 * subject's own key for fields sealed one by one before ADR 24. For `locker keys check`.
 */
export const keysNamedBy = (e: Pick<ReplayedEvent, 'type' | 'data'>): { subject: string; keyId: string }[] =>
  (sealedIn(e as ReplayedEvent) ?? []).flatMap(({ holder, box, v1 }) => [...(box ? [{ subject: holder.subject, keyId: box.k }] : []), ...(v1 ? [{ subject: holder.subject, keyId: holder.subject }] : [])]);
/** Sets `path` in `o` in place (an object this reader owns), as long as the objects on the way are there. */
const set = (o: Data, path: string, value: unknown): void => {
  const keys = pathOf(path);
  let at = o;
  for (let i = 0; i < keys.length - 1; i++) {
    const inner = at[keys[i]!];
    if (!inner || typeof inner !== 'object') return;
    at = inner as Data;
  }
  at[keys[keys.length - 1]!] = value;
};

/**
 * Nonces from a buffer of random bytes refilled 4 KiB at a time: each draw from the system's
 * generator costs microseconds, one per box would be a tenth of an append. Random 96-bit nonces
 * are safe here: a key seals a handful of boxes, far from GCM's limit of 2^32 per key.
 */
let entropy = Buffer.alloc(0);
/** Writes a fresh nonce at the start of `into`. */
const nonceInto = (into: Buffer): void => {
  if (entropy.length < 12) entropy = randomBytes(4096);
  entropy.copy(into, 0, 0, 12);
  entropy = entropy.subarray(12);
};

/**
 * What a box is bound to. Boxes sealed with a tenant's key (ADR 37) are bound to the tenant too;
 * those sealed before, with a key that named no tenant, to the subject and type alone.
 */
const aad = (tenant: string | undefined, subject: string, type: string) =>
  Buffer.from(tenant === undefined ? `${subject}|${type}|v2` : `${tenant}|${subject}|${type}|v3`);
/** The sealing cache's entry of a subject: a school's `person:u-1` is never another school's. */
const cacheKey = (tenant: string, subject: string) => `${tenant}\u0000${subject}`;

/**
 * The event store, with personal fields sealed (AES-256-GCM) before they are stored and opened
 * when they are read; a field whose key was deleted reads as `[erased]`. Hash chains and the notary
 * are computed by the store over what it stores (the sealed form), so erasing a key breaks nothing:
 * `raw` gives the stored form to `verify`. Fields stored in clear before ADR 23 read as they are;
 * fields sealed one by one before ADR 24 open with their subject's own key.
 *
 * A subject keeps the key it was first given in this process; after a restart it gets a fresh one,
 * so a subject may have several keys: `shred` finds them all in the subject's events.
 */
export const shreddingEventStore = (inner: EventStore, keys: KeyStore, options: { cacheMs?: number; cacheSubjects?: number } = {}): EventStore & Shredder & { readonly raw: EventStore } => {
  const cacheMs = options.cacheMs ?? 60_000;
  const cacheSubjects = options.cacheSubjects ?? 50_000;
  /** The key each subject seals with in this process; a minute's life, so a key another node shredded is not used for long. */
  const sealing = new Map<string, { id: string; key: Buffer; until: number }>();
  const unavailable = (e: unknown): StoreError => ({ code: 'STORE_UNAVAILABLE', message: `the key store: ${(e as Error).message}` });
  const remember = (subject: string, k: { id: string; key: Buffer }, now: number) => {
    // Bounded: a directory of many people must not grow this for ever.
    if (sealing.size >= cacheSubjects) sealing.clear();
    sealing.set(subject, { id: k.id, key: k.key, until: now + cacheMs });
  };

  /**
   * Seals with the keys `sealing` holds for every subject: the caller made sure of them. The box
   * holds the values in the order of `f` (names once, outside); boxes of objects keyed by field,
   * written before, still open.
   */
  const sealEvent = (e: NewEvent, found: readonly Holder[], keyOf: ReadonlyMap<string, { id: string; key: Buffer }>): NewEvent => {
    const tenant = e.meta.tenant;
    if (found.length === 0) return e;
    const changes = new Map<number, Data>();
    for (const h of found) {
      if (isBox(h.at['$sealed'])) continue;
      let fields: string[] | undefined;
      const values: unknown[] = [];
      for (const field of h.fields) {
        const value = get(h.at, field);
        if (value === null || value === undefined || isFieldV1(value)) continue;
        (fields ??= []).push(field);
        values.push(value);
      }
      if (!fields) continue;
      const next = without(h.at, fields);
      const { id, key } = keyOf.get(cacheKey(tenant, h.subject))!;
      // nonce | tag | ciphertext written into one buffer: no concatenation afterwards.
      const plain = Buffer.from(JSON.stringify(values), 'utf8');
      const sealed = Buffer.allocUnsafe(28 + plain.length);
      nonceInto(sealed);
      const cipher = createCipheriv('aes-256-gcm', keyObjectOf(key), sealed.subarray(0, 12)).setAAD(aad(keyTenant(id), h.subject, e.type));
      cipher.update(plain).copy(sealed, 28);
      cipher.final();
      cipher.getAuthTag().copy(sealed, 12);
      next['$sealed'] = { k: id, f: fields, b: sealed.toString('base64') } satisfies Box;
      changes.set(h.index, next);
    }
    return changes.size === 0 ? e : { ...e, data: replaced(e.data as Data, changes) };
  };
  /**
   * The key of each subject these events seal for: the one this process holds, or one made ahead
   * where the store has one ready; the subjects it has none for are left to wait for. The keys are
   * the caller's own: the cache may be cleared while they are gathered (a batch of many subjects).
   */
  const keysFor = (found: readonly { tenant: string; holders: readonly Holder[] }[], now: number): { keyOf: Map<string, { id: string; key: Buffer }>; waiting: Map<string, string> } => {
    const keyOf = new Map<string, { id: string; key: Buffer }>();
    /** Cache key → the tenant it waits for a key of. */
    const waiting = new Map<string, string>();
    for (const { tenant, holders: hs } of found) {
      for (const h of hs) {
        const at = cacheKey(tenant, h.subject);
        if (keyOf.has(at) || waiting.has(at)) continue;
        const cached = sealing.get(at);
        if (cached && cached.until > now) {
          keyOf.set(at, cached);
          continue;
        }
        const ready = keys.ready(tenant);
        if (ready) {
          remember(at, ready, now);
          keyOf.set(at, ready);
        } else waiting.set(at, tenant);
      }
    }
    return { keyOf, waiting };
  };
  /** Seals the events of each append, with a key for every subject first: `write` gets them sealed. */
  const sealedFor = <T>(appends: readonly StreamAppend[], write: (sealed: StreamAppend[]) => ResultAsync<T, StoreError>): ResultAsync<T, StoreError> => {
    const now = Date.now();
    const found = appends.map((a) => a.events.map((e) => holders(e.type, e.data)));
    const { keyOf, waiting } = keysFor(
      appends.flatMap((a, i) => a.events.map((e, j) => ({ tenant: e.meta.tenant, holders: found[i]![j]! }))),
      now,
    );
    const sealed = () => appends.map((a, i) => ({ ...a, events: a.events.map((e, j) => sealEvent(e, found[i]![j]!, keyOf)) }));
    // The usual case: every key at hand, so the events are sealed and appended without a wait.
    if (waiting.size === 0) return write(sealed());
    return ResultAsync.fromPromise(Promise.all([...waiting].map(async ([at, tenant]) => [at, await keys.fresh(tenant)] as const)), unavailable).andThen((made) => {
      for (const [at, k] of made) {
        remember(at, k, now);
        keyOf.set(at, k);
      }
      return write(sealed());
    });
  };
  const append: EventStore['append'] = (stream, events, expected) =>
    sealedFor([{ stream, events, expected }], ([one]) => inner.append(one!.stream, one!.events, one!.expected));
  const appendMany: EventStore['appendMany'] = (appends) => sealedFor(appends, (sealed) => inner.appendMany(sealed));

  /**
   * Opens the event where it lies: the stores parse every read afresh, so the event is this
   * reader's to change (the port says so). Copying it cost more than the opening; the one `delete`
   * left (the box) measured cheaper than a copy built without it.
   */
  const openEvent = <E extends ReplayedEvent>(e: E, found: readonly Sealed[] | undefined, keyOf: ReadonlyMap<string, Buffer>): E => {
    if (!found) return e;
    for (const { holder: h, box, v1 } of found) {
      // v1 fields first: read from the holder as stored.
      for (const field of v1 ?? []) set(h.at, field, openFieldV1(get(h.at, field) as FieldV1, keyOf.get(h.subject), h.subject, e.type, field));
      if (!box) continue;
      const values = openBox(box, ownKey(e, box, keyOf), h.subject, e.type);
      delete h.at['$sealed'];
      box.f.forEach((field, i) => set(h.at, field, values === undefined ? ERASED : Array.isArray(values) ? values[i] : values[field]));
    }
    return e;
  };
  /** A box's key, only if it is the event's own school's (or one of before ADR 37, which named none). */
  const ownKey = (e: ReplayedEvent, box: Box, keyOf: ReadonlyMap<string, Buffer>): Buffer | undefined => {
    const tenant = keyTenant(box.k);
    return tenant === undefined || tenant === e.meta.tenant ? keyOf.get(box.k) : undefined;
  };
  /** The key store caches what it found (per process, or for a minute on S3): a batch asks it once. */
  const opened = <E extends ReplayedEvent>(events: E[]): ResultAsync<E[], StoreError> => {
    // Each event looked at once: its sealed holders, and every key id they name.
    const ids = new Set<string>();
    const found = events.map((e) => {
      const sealedHere = sealedIn(e);
      for (const { holder, box, v1 } of sealedHere ?? []) {
        // Another school's key is never even asked for.
        if (box && (keyTenant(box.k) ?? e.meta.tenant) === e.meta.tenant) ids.add(box.k);
        if (v1) ids.add(holder.subject);
      }
      return sealedHere;
    });
    if (ids.size === 0) return okAsync(found.some((f) => f !== undefined) ? events.map((e, i) => openEvent(e, found[i], new Map())) : events);
    // andThen, not map: neverthrow's map runs its callback through a generator, and events handed
    // through one survived V8's young-generation collections (ADR 58).
    return ResultAsync.fromPromise(keys.findAll([...ids]), unavailable).andThen((keyOf) => okAsync(events.map((e, i) => openEvent(e, found[i], keyOf))));
  };

  const store: EventStore & Shredder & { readonly raw: EventStore } = {
    raw: inner,
    append,
    appendMany,
    readStream: (stream) => inner.readStream(stream).andThen(opened),
    readAll: (options) => inner.readAll(options).andThen(opened),
    // A batch's events opened together: one key lookup for a batch of streams, not one a stream.
    readDocumentsOfYear: async function* (tenant, year) {
      for await (const batch of inner.readDocumentsOfYear(tenant, year)) {
        const streams = [...batch];
        const done = await opened(streams.flat());
        if (done.isErr()) throw new Error(done.error.code);
        yield streams;
      }
    },
    ping: () => inner.ping(),
    close: () => inner.close(),
    shred: async (tenant, subject, stream) => {
      sealing.delete(cacheKey(tenant, subject));
      const events = await inner.readStream(stream);
      if (events.isErr()) throw new Error(`the event store: ${events.error.code}`);
      // Only keys this school's events of the subject name, never another school's: the stream is
      // the tenant's, and a key naming another tenant is skipped even if an event named it.
      const ids = new Set<string>();
      for (const e of events.value) {
        if (e.meta.tenant !== tenant) continue;
        for (const h of holders(e.type, e.data)) {
          if (h.subject !== subject) continue;
          const box = h.at['$sealed'];
          if (isBox(box) && (keyTenant(box.k) ?? tenant) === tenant) ids.add(box.k);
          // Fields sealed one by one before ADR 24 used the subject's own key.
          if (h.fields.some((f) => isFieldV1(get(h.at, f)))) ids.add(subject);
        }
      }
      return keys.delete([...ids]);
    },
  };
  if (inner.watch) (store as { watch?: EventStore['watch'] }).watch = inner.watch.bind(inner);
  const scanRaw = (inner as { scanRaw?: (tenant?: string) => Iterable<unknown> }).scanRaw;
  if (scanRaw) (store as unknown as { scanRaw: typeof scanRaw }).scanRaw = scanRaw.bind(inner);
  return store;
};

/**
 * A data key as the cipher takes it. Given raw bytes, Node makes a KeyObject of them at every
 * cipher, five times the cost of the decryption itself (docs/performance.md): made once a key,
 * kept as long as the key store's cache keeps the bytes (an erased key's go with them).
 */
const keyObjects = new WeakMap<Buffer, KeyObject>();
const keyObjectOf = (key: Buffer): KeyObject => {
  let made = keyObjects.get(key);
  if (!made) keyObjects.set(key, (made = createSecretKey(key)));
  return made;
};

/** Opens `nonce | tag | ciphertext` with the key and associated data, or throws if it does not open. */
const unseal = (key: Buffer, sealed: Buffer, associated: Buffer): unknown => {
  const decipher = createDecipheriv('aes-256-gcm', keyObjectOf(key), sealed.subarray(0, 12)).setAAD(associated);
  decipher.setAuthTag(sealed.subarray(12, 28));
  const body = decipher.update(sealed.subarray(28));
  // GCM's final() adds no bytes; it throws when the tag does not match, before `body` is trusted.
  decipher.final();
  return JSON.parse(body.toString('utf8'));
};

/**
 * The box's values (in the order of its `f`, or keyed by field in boxes sealed before), or
 * undefined when its key is gone or it does not open (then its fields read as erased).
 */
const openBox = (box: Box, key: Buffer | undefined, subject: string, type: string): unknown[] | Record<string, unknown> | undefined => {
  if (!key) return undefined;
  try {
    return unseal(key, Buffer.from(box.b, 'base64'), aad(keyTenant(box.k), subject, type)) as unknown[] | Record<string, unknown>;
  } catch {
    return undefined;
  }
};

const openFieldV1 = (value: FieldV1, key: Buffer | undefined, subject: string, type: string, field: string): unknown => {
  if (!key) return ERASED;
  try {
    return unseal(key, Buffer.from(value.$sealed.slice(3), 'base64'), Buffer.from(`${subject}|${type}|${field}`));
  } catch {
    return ERASED;
  }
};
