import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { err, ResultAsync, type Result } from 'neverthrow';
import type { BlobStore } from '../application/ports/blob-store.js';
import type { CredentialStore } from '../application/ports/credential-store.js';
import type { EventStore } from '../application/ports/event-store.js';
import type { KeyStore } from '../application/ports/key-store.js';
import type { SnapshotStore } from '../application/ports/snapshot-store.js';
import { isLeaseStream } from '../application/streams.js';
import type { Deps } from '../application/deps.js';
import { FsBlobStore } from '../adapters/blobs/fs-blob-store.js';
import { fsSnapshotStore } from '../adapters/blobs/fs-snapshot-store.js';
import { ConfigError, redactCredentials, type Config } from '../adapters/config/config.js';
import { SqliteEventStore } from '../adapters/sqlite/sqlite-event-store.js';
import { openSqliteCredentialStore } from '../adapters/sqlite/sqlite-credential-store.js';
import { openSqliteKeyStore } from '../adapters/sqlite/sqlite-key-store.js';

// Which store backs each port, as the configuration says: the embedded files by default, or
// EventStoreDB and an S3 bucket in hosted mode.

/** A secret read from the data folder, made there once (mode 600) the first time. */
const secretOf = (file: string, make: () => string): string => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const secret = make();
    try {
      writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    } catch {
      // Another process (the CLI beside the server) made it first: theirs is the one.
      return readFileSync(file, 'utf8').trim();
    }
    return secret;
  }
};

/** The secret is generated once into the data folder, so `npm start` needs no setup and tokens survive restarts. */
export const jwtSecretOf = (config: Config): string =>
  config.LOCKER_JWT_SECRET ?? secretOf(join(resolve(config.LOCKER_DATA_DIR), 'jwt-secret'), () => randomBytes(32).toString('base64url'));

// The production adapters are loaded only when configured: their clients (gRPC, S3) cost tens of MB
// of memory that a school on the embedded default should not pay.
export const eventStoreFactory = async (config: Config, dataDir: string): Promise<(onMalformed?: () => void) => EventStore> => {
  if (config.LOCKER_EVENT_STORE !== 'eventstoredb') {
    return () => new SqliteEventStore(join(dataDir, 'events.sqlite'), { synchronous: config.LOCKER_SQLITE_SYNCHRONOUS });
  }
  const { EsdbEventStore, connectionStringProblem } = await import('../adapters/eventstoredb/esdb-event-store.js');
  // Read by the client's own parser at start: a string its regex accepts but the client rejects or misreads stops here.
  const problem = connectionStringProblem(config.LOCKER_EVENTSTORE_URL!);
  if (problem) throw new ConfigError(`invalid configuration: LOCKER_EVENTSTORE_URL: ${problem} (got ${JSON.stringify(redactCredentials(config.LOCKER_EVENTSTORE_URL!))})`);
  // A stored event nobody can read is said at once: a 503 names it, and so does this line.
  return (counted = () => undefined) =>
    new EsdbEventStore(config.LOCKER_EVENTSTORE_URL!, {
      timeoutMs: config.LOCKER_STORE_TIMEOUT_MS,
      // A lease stream needs only its last take: it keeps 100, not one event per take for ever.
      maxCountOf: (stream) => (isLeaseStream(stream) ? 100 : undefined),
      onMalformed: (where) => {
        counted();
        process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(), msg: 'malformed event in the log', ...where })}\n`);
      },
    });
};

/** The bucket, as the S3 blob store and the S3 key store both reach it. */
const s3Options = (config: Config) => ({
  endpoint: config.LOCKER_S3_ENDPOINT!,
  region: config.LOCKER_S3_REGION,
  bucket: config.LOCKER_S3_BUCKET!,
  accessKey: config.LOCKER_S3_ACCESS_KEY!,
  secretKey: config.LOCKER_S3_SECRET_KEY!,
  timeoutMs: config.LOCKER_STORE_TIMEOUT_MS,
});

/** Where data keys and sealed credentials live: a bucket of their own when configured, else the blob bucket. */
const s3KeysOptions = (config: Config) => ({
  ...s3Options(config),
  bucket: config.LOCKER_S3_KEYS_BUCKET ?? config.LOCKER_S3_BUCKET!,
  accessKey: config.LOCKER_S3_KEYS_ACCESS_KEY ?? config.LOCKER_S3_ACCESS_KEY!,
  secretKey: config.LOCKER_S3_KEYS_SECRET_KEY ?? config.LOCKER_S3_SECRET_KEY!,
});

export const blobStoreFactory = async (config: Config, dataDir: string): Promise<() => BlobStore> => {
  if (config.LOCKER_BLOB_STORE !== 's3') return () => new FsBlobStore(join(dataDir, 'blobs'));
  const { MinioBlobStore } = await import('../adapters/blobs/minio-blob-store.js');
  return () => new MinioBlobStore(s3Options(config));
};

/** Minutes between two snapshots of the read models: as configured, else hourly with blobs on S3 and never on the embedded default. */
export const snapshotEveryMinutes = (config: Config): number => config.LOCKER_SNAPSHOT_EVERY_MINUTES ?? (config.LOCKER_BLOB_STORE === 's3' ? 60 : 0);

/**
 * Where snapshots of the read models are kept (ADR 51): in the bucket with blobs on S3, where every
 * node finds them (a node restores from there even if it takes none itself); in the data folder's
 * `snapshots/` on the embedded default, when they are taken at all.
 */
export const snapshotStoreFactory = async (config: Config, dataDir: string): Promise<() => SnapshotStore | null> => {
  if (config.LOCKER_BLOB_STORE === 's3') {
    const { MinioBlobStore } = await import('../adapters/blobs/minio-blob-store.js');
    return () => new MinioBlobStore(s3Options(config)).snapshots();
  }
  if (snapshotEveryMinutes(config) === 0) return () => null;
  return () => fsSnapshotStore(join(dataDir, 'snapshots'));
};

/** Data keys live beside the blobs: in the bucket, shared by every node, when blobs are on S3. */
export const keyStoreFactory = async (config: Config, dataDir: string): Promise<() => KeyStore> => {
  if (config.LOCKER_BLOB_STORE !== 's3') return () => openSqliteKeyStore(join(dataDir, 'keys.sqlite'));
  const { s3KeyStore } = await import('../adapters/blobs/s3-key-store.js');
  return () => s3KeyStore(s3KeysOptions(config));
};

/**
 * Cloud credentials and webhook secrets need LOCKER_SECRETS_KEY to be kept with (without it, none
 * can be configured); like the keys, they live in the bucket, shared by every node, when blobs are
 * on S3.
 */
export const credentialStoreFactory = async (config: Config, dataDir: string): Promise<() => CredentialStore | null> => {
  // On the embedded default (one node) the key is generated once into the data folder, as the JWT
  // secret is, so webhooks and clouds work with no configuration. Hosted mode needs one key shared
  // by every node: it must be given.
  if (config.LOCKER_BLOB_STORE !== 's3') {
    const key = Buffer.from(config.LOCKER_SECRETS_KEY ?? secretOf(join(dataDir, 'secrets-key'), () => randomBytes(32).toString('base64')), 'base64');
    return () => openSqliteCredentialStore(join(dataDir, 'credentials.sqlite'), key);
  }
  if (!config.LOCKER_SECRETS_KEY) return () => null;
  const key = Buffer.from(config.LOCKER_SECRETS_KEY, 'base64');
  const { s3CredentialStore } = await import('../adapters/blobs/s3-credential-store.js');
  return () => s3CredentialStore(s3KeysOptions(config), key);
};

/** S3 creates its bucket at start; other blob stores only need to answer. */
const readyBlobs = (blobs: BlobStore) =>
  'ensureBucket' in blobs && typeof blobs.ensureBucket === 'function' ? (blobs.ensureBucket as () => ReturnType<BlobStore['ping']>)() : blobs.ping();

/**
 * The stores answer before the service does: an unreachable EventStoreDB or S3 endpoint stops the
 * process with one line saying which, instead of a server that fails every request.
 */
export const verifyStores = async (config: Config, deps: Pick<Deps, 'events' | 'blobs'>): Promise<void> => {
  const events = await deps.events.ping();
  if (events.isErr()) {
    const where = config.LOCKER_EVENT_STORE === 'eventstoredb' ? `EventStoreDB at ${redactCredentials(config.LOCKER_EVENTSTORE_URL!)}` : 'the SQLite event store';
    throw new Error(`cannot reach ${where}: ${events.error.code === 'STORE_UNAVAILABLE' ? events.error.message : events.error.code}`);
  }
  const blobs = await withTimeout(readyBlobs(deps.blobs), 10_000);
  if (blobs.isErr()) {
    const where = config.LOCKER_BLOB_STORE === 's3' ? `S3 at ${config.LOCKER_S3_ENDPOINT} (bucket ${config.LOCKER_S3_BUCKET})` : 'the blob folder';
    throw new Error(`cannot reach ${where}: ${'message' in blobs.error ? blobs.error.message : blobs.error.code}`);
  }
  if (config.LOCKER_BLOB_STORE === 's3') {
    // Erasure deletes keys: a bucket that keeps deleted objects would keep them (ADR 39).
    const { keepsDeletedObjects, s3Client } = await import('../adapters/blobs/s3-client.js');
    const keys = s3KeysOptions(config);
    const client = s3Client(keys, { idleTimeoutMs: keys.timeoutMs });
    if (keys.bucket !== config.LOCKER_S3_BUCKET && !(await withTimeout(ResultAsync.fromPromise(client.bucketExists(keys.bucket), (e) => e), keys.timeoutMs).then((r) => r.unwrapOr(false)))) {
      await client.makeBucket(keys.bucket, config.LOCKER_S3_REGION ?? '').catch(() => undefined);
    }
    const why = await keepsDeletedObjects(client, keys.bucket, keys.timeoutMs).catch((e: unknown) => `cannot read the settings of bucket ${keys.bucket}: ${(e as Error).message}`);
    if (why) throw new Error(`refusing to start: ${why}`);
  }
};

const withTimeout = async <T, E>(work: PromiseLike<Result<T, E>>, ms: number): Promise<Result<T, E | { code: 'TIMEOUT'; message: string }>> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Result<T, { code: 'TIMEOUT'; message: string }>>((resolve) => {
    timer = setTimeout(() => resolve(err({ code: 'TIMEOUT', message: `no answer within ${ms} ms` })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
};
