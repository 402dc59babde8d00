import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { okAsync, ResultAsync } from 'neverthrow';
import type { EventStore, NewEvent, RecordedEvent, StoreError } from '../../application/ports/event-store.js';
import type { KeyStore } from '../../application/ports/key-store.js';

/** What a field reads as once its subject's key is gone. */
export const ERASED = '[erased]';

type Sealed = { readonly $sealed: string };
const isSealed = (v: unknown): v is Sealed => typeof v === 'object' && v !== null && typeof (v as Sealed).$sealed === 'string';

type Data = Record<string, unknown>;
/** A field to seal: its path in the event's data, and whose key seals it. */
type Rule = { readonly path: readonly string[]; readonly subject: (data: Data) => string | undefined };

const doc = (d: Data) => (typeof d['documentId'] === 'string' ? `doc:${d['documentId']}` : undefined);
const docFields = (...paths: string[][]): Rule[] => paths.map((path) => ({ path, subject: doc }));

/**
 * The personal and descriptive fields of each event type: titles, memos, file names and cloud paths
 * under the document's key; names and e-mails under the person's; a collection request's title and
 * instructions under its own. Ids, types, times and everything rules decide on stay in clear.
 */
const RULES: Record<string, Rule[]> = {
  DocumentDeposited: docFields(['title'], ['memo'], ['content', 'fileName'], ['cloud', 'path']),
  DocumentCarriedOver: docFields(['title'], ['memo'], ['content', 'fileName']),
  DocumentUpdated: docFields(['content', 'fileName'], ['cloud', 'path']),
  CarriedDocumentRefreshed: docFields(['memo'], ['content', 'fileName']),
  MemoChanged: docFields(['memo']),
  CollectionCreated: [
    { path: ['title'], subject: (d) => `collection:${d['collectionId']}` },
    { path: ['instructions'], subject: (d) => `collection:${d['collectionId']}` },
  ],
};
/** The directory's people: each user's name and e-mail under that person's key. */
const PEOPLE: Rule[] = [
  { path: ['displayName'], subject: (u) => `person:${u['id']}` },
  { path: ['email'], subject: (u) => `person:${u['id']}` },
];

const transform = (data: Data, rules: readonly Rule[], each: (value: unknown, subject: string, field: string) => unknown, subjectOf: Data = data): Data => {
  let out = data;
  for (const rule of rules) {
    const subject = rule.subject(subjectOf);
    if (!subject) continue;
    const parents = rule.path.slice(0, -1);
    const leaf = rule.path[rule.path.length - 1]!;
    const holder = parents.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Data)[k] : undefined), out);
    if (!holder || typeof holder !== 'object' || !(leaf in holder)) continue;
    const value = (holder as Data)[leaf];
    if (value === null || value === undefined) continue;
    const changed = each(value, subject, rule.path.join('.'));
    // Copy along the path: the caller's objects are never modified.
    const rebuild = (o: Data, depth: number): Data =>
      depth === parents.length ? { ...o, [leaf]: changed } : { ...o, [parents[depth]!]: rebuild(o[parents[depth]!] as Data, depth + 1) };
    out = rebuild(out, 0);
  }
  return out;
};

const walk = (type: string, data: Data, each: (value: unknown, subject: string, field: string) => unknown): Data => {
  if (type === 'DirectorySynced' && Array.isArray(data['users'])) {
    return { ...data, users: (data['users'] as Data[]).map((u) => transform(u, PEOPLE, each)) };
  }
  const rules = RULES[type];
  return rules ? transform(data, rules, each) : data;
};

/**
 * The event store, with personal fields sealed (AES-256-GCM, a key per subject from the KeyStore)
 * before they are stored and opened when they are read; a field whose key was deleted reads as
 * `[erased]`. Hash chains and the notary are computed by the store over what it stores (the sealed
 * form), so erasing a key breaks nothing: `scanRaw` and `raw` give the stored form to `verify`.
 * Fields stored in clear before this existed are read as they are (ADR 23).
 */
export const shreddingEventStore = (inner: EventStore, keys: KeyStore): EventStore & { readonly raw: EventStore } => {
  const sealable = (type: string) => RULES[type] !== undefined || type === 'DirectorySynced';
  /** Every subject an event's sealable fields belong to. */
  const subjectsOf = (type: string, data: Data): Set<string> => {
    const found = new Set<string>();
    walk(type, data, (value, subject) => (found.add(subject), value));
    return found;
  };
  /** The keys of these events' subjects, asked once each; a key store that cannot answer fails the whole read or append. */
  const keysFor = (events: readonly { type: string; data: unknown }[], make: boolean) =>
    ResultAsync.fromPromise(
      (async () => {
        const subjects = new Set<string>();
        for (const e of events) if (sealable(e.type)) for (const s of subjectsOf(e.type, e.data as Data)) subjects.add(s);
        const found = await Promise.all([...subjects].map(async (s) => [s, make ? await keys.keyFor(s) : await keys.find(s)] as const));
        return new Map(found);
      })(),
      (e): StoreError => ({ code: 'STORE_UNAVAILABLE', message: `the key store: ${(e as Error).message}` }),
    );
  const seal = (type: string, data: Data, keyOf: ReadonlyMap<string, Buffer | undefined>): Data =>
    walk(type, data, (value, subject, field) => {
      if (isSealed(value)) return value;
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyOf.get(subject)!, nonce).setAAD(Buffer.from(`${subject}|${type}|${field}`));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return { $sealed: `v1:${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64')}` };
    });
  const open = (type: string, data: Data, keyOf: ReadonlyMap<string, Buffer | undefined>): Data =>
    walk(type, data, (value, subject, field) => {
      if (!isSealed(value)) return value;
      const key = keyOf.get(subject);
      if (!key) return ERASED;
      try {
        const raw = Buffer.from(value.$sealed.slice(3), 'base64');
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(Buffer.from(`${subject}|${type}|${field}`));
        decipher.setAuthTag(raw.subarray(12, 28));
        return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
      } catch {
        return ERASED;
      }
    });
  const opened = (events: RecordedEvent[]): ResultAsync<RecordedEvent[], StoreError> =>
    !events.some((e) => sealable(e.type))
      ? okAsync(events)
      : keysFor(events, false).map((keyOf) => events.map((e) => (sealable(e.type) ? { ...e, data: open(e.type, e.data as Data, keyOf) } : e)));
  const store: EventStore & { readonly raw: EventStore } = {
    raw: inner,
    append: (stream, events, expected) =>
      keysFor(events, true).andThen((keyOf) => inner.append(stream, events.map((e): NewEvent => (sealable(e.type) ? { ...e, data: seal(e.type, e.data as Data, keyOf) } : e)), expected)),
    readStream: (stream) => inner.readStream(stream).andThen(opened),
    readAll: (options) => inner.readAll(options).andThen(opened),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  if (inner.readStreamsByPrefix) {
    const byPrefix = inner.readStreamsByPrefix.bind(inner);
    (store as { readStreamsByPrefix?: EventStore['readStreamsByPrefix'] }).readStreamsByPrefix = async function* (prefix: string) {
      for await (const events of byPrefix(prefix)) {
        const done = await opened(events);
        if (done.isErr()) throw new Error(done.error.code);
        yield done.value;
      }
    };
  }
  if (inner.watch) (store as { watch?: EventStore['watch'] }).watch = inner.watch.bind(inner);
  if (inner.count) (store as { count?: EventStore['count'] }).count = inner.count.bind(inner);
  const scanRaw = (inner as { scanRaw?: (tenant?: string) => Iterable<unknown> }).scanRaw;
  if (scanRaw) (store as unknown as { scanRaw: typeof scanRaw }).scanRaw = scanRaw.bind(inner);
  return store;
};
