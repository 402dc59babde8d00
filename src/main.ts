import 'reflect-metadata';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { container, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { Deps } from './application/deps.js';
import type { BlobStore } from './application/ports/blob-store.js';
import type { EventStore } from './application/ports/event-store.js';
import type { IdGenerator } from './application/ports/id-generator.js';
import type { ReadModels } from './application/ports/read-models.js';
import { Projector } from './application/projector.js';
import { isLeaseStream, streams } from './application/streams.js';
import { useCases, type UseCases } from './application/use-cases.js';
import { err, ResultAsync, type Result } from 'neverthrow';
import type { CloudDrive } from './application/ports/cloud-drive.js';
import { FsBlobStore } from './adapters/blobs/fs-blob-store.js';
import { runCli, type CliHost } from './adapters/cli/cli.js';
import { ConfigError, loadConfig, redactCredentials, type Config } from './adapters/config/config.js';
import { createVerifier } from './adapters/http/auth.js';
import { buildServer } from './adapters/http/server.js';
import { SERVER_NODE_FLAGS } from './adapters/system/server-runtime.js';
import { SqliteEventStore } from './adapters/sqlite/sqlite-event-store.js';
import { openSqliteNotaryLedger } from './adapters/sqlite/sqlite-notary-ledger.js';
import { openSqliteReadModels } from './adapters/sqlite/sqlite-read-models.js';
import { ed25519Signer } from './adapters/system/ed25519-signer.js';
import { prometheusMetrics, type PrometheusMetrics } from './adapters/metrics/prometheus-metrics.js';
import { cryptoIds } from './adapters/system/crypto-ids.js';
import { openSqliteCredentialStore } from './adapters/sqlite/sqlite-credential-store.js';
import { openSqliteKeyStore } from './adapters/sqlite/sqlite-key-store.js';
import { shreddingEventStore } from './adapters/shared/shredding-event-store.js';
import type { KeyStore, Shredder } from './application/ports/key-store.js';
import type { CredentialStore } from './application/ports/credential-store.js';
import type { Mailer } from './application/ports/mailer.js';
import { mailDispatcher, type MailDispatcher } from './application/use-cases/dispatch-mail.js';
import { webhooks, type WebhookService } from './application/use-cases/webhooks.js';
import { sweepGraceMs } from './application/use-cases/sweep-blobs.js';
import { MAX_FILES_PER_DEPOSIT, uploadSlots } from './adapters/http/upload.js';
import { fetchWebhookSender } from './adapters/webhooks/fetch-webhook-sender.js';
import { hostname } from 'node:os';
import { systemClock } from './adapters/system/system-clock.js';

/**
 * One token per port, and explicit: tsyringe cannot see types under esbuild, and we want none of
 * its magic anyway. Tests override a token (a clock, a store wrapper) before anything is resolved.
 */
export const TOKENS = {
  Config: Symbol('Config'),
  EventStore: Symbol('EventStore'),
  BlobStore: Symbol('BlobStore'),
  ReadModels: Symbol('ReadModels'),
  Notary: Symbol('NotaryLedger'),
  Signer: Symbol('CheckpointSigner'),
  Clock: Symbol('Clock'),
  Ids: Symbol('IdGenerator'),
  Streams: Symbol('Streams'),
  Projector: Symbol('Projector'),
  Metrics: Symbol('Metrics'),
  Mailer: Symbol('Mailer'),
  Keys: Symbol('KeyStore'),
  Sealed: Symbol('SealingEventStore'),
  CloudDrive: Symbol('CloudDrive'),
  Credentials: Symbol('CredentialStore'),
  MailDispatcher: Symbol('MailDispatcher'),
  Webhooks: Symbol('Webhooks'),
  Deps: Symbol('Deps'),
  UseCases: Symbol('UseCases'),
} as const;

/** Replaces registrations before the graph is built: `c.register(TOKENS.Clock, { useValue: clock })`. */
export type Overrides = (container: DependencyContainer) => void;

export type App = {
  readonly config: Config;
  readonly metrics: PrometheusMetrics;
  readonly deps: Deps;
  readonly useCases: UseCases;
  /** The mail dispatcher, when an SMTP server is configured. */
  readonly mail: MailDispatcher | null;
  readonly webhooks: WebhookService;
  readonly jwtSecret: string;
  /** This node's name in leases (mail, webhooks, the sweep). */
  readonly nodeId: string;
  /** For a long-running server: the embedded SQLite files checkpoint in a worker thread (ADR 29). */
  checkpointInBackground(): void;
  close(): Promise<void>;
};

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

// The production adapters are loaded only when configured: their clients (gRPC, S3) cost ~30 MB
// of memory that a school on the embedded default should not pay.
const eventStoreFactory = async (config: Config, dataDir: string): Promise<(onMalformed?: () => void) => EventStore> => {
  if (config.LOCKER_EVENT_STORE !== 'eventstoredb') {
    return () => new SqliteEventStore(join(dataDir, 'events.sqlite'), { synchronous: config.LOCKER_SQLITE_SYNCHRONOUS });
  }
  const { EsdbEventStore, connectionStringProblem } = await import('./adapters/eventstoredb/esdb-event-store.js');
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

const blobStoreFactory = async (config: Config, dataDir: string): Promise<() => BlobStore> => {
  if (config.LOCKER_BLOB_STORE !== 's3') return () => new FsBlobStore(join(dataDir, 'blobs'));
  const { MinioBlobStore } = await import('./adapters/blobs/minio-blob-store.js');
  return () => new MinioBlobStore(s3Options(config));
};

/**
 * The WebDAV client costs some 20 MB of memory: it is loaded on the first cloud call, so a school
 * without clouds never pays for it.
 */
const lazyCloudDrive = (load: () => Promise<CloudDrive>): CloudDrive => {
  let drive: Promise<CloudDrive> | undefined;
  const get = () => ResultAsync.fromSafePromise((drive ??= load()));
  return {
    check: (account) => get().andThen((d) => d.check(account)),
    list: (account, path) => get().andThen((d) => d.list(account, path)),
    open: (account, path) => get().andThen((d) => d.open(account, path)),
  };
};

/** Data keys live beside the blobs: in the bucket, shared by every node, when blobs are on S3. */
const keyStoreFactory = async (config: Config, dataDir: string): Promise<() => KeyStore> => {
  if (config.LOCKER_BLOB_STORE !== 's3') return () => openSqliteKeyStore(join(dataDir, 'keys.sqlite'));
  const { s3KeyStore } = await import('./adapters/blobs/s3-key-store.js');
  return () => s3KeyStore(s3KeysOptions(config));
};

/**
 * Cloud credentials and webhook secrets need LOCKER_SECRETS_KEY to be kept with (without it, none
 * can be configured); like the keys, they live in the bucket, shared by every node, when blobs are
 * on S3.
 */
const credentialStoreFactory = async (config: Config, dataDir: string): Promise<() => CredentialStore | null> => {
  // On the embedded default (one node) the key is generated once into the data folder, as the JWT
  // secret is, so webhooks and clouds work with no configuration. Hosted mode needs one key shared
  // by every node: it must be given.
  if (config.LOCKER_BLOB_STORE !== 's3') {
    const key = Buffer.from(config.LOCKER_SECRETS_KEY ?? secretOf(join(dataDir, 'secrets-key'), () => randomBytes(32).toString('base64')), 'base64');
    return () => openSqliteCredentialStore(join(dataDir, 'credentials.sqlite'), key);
  }
  if (!config.LOCKER_SECRETS_KEY) return () => null;
  const key = Buffer.from(config.LOCKER_SECRETS_KEY, 'base64');
  const { s3CredentialStore } = await import('./adapters/blobs/s3-credential-store.js');
  return () => s3CredentialStore(s3KeysOptions(config), key);
};

/** S3 creates its bucket at start; other blob stores only need to answer. */
const readyBlobs = (blobs: BlobStore) =>
  'ensureBucket' in blobs && typeof blobs.ensureBucket === 'function' ? (blobs.ensureBucket as () => ReturnType<BlobStore['ping']>)() : blobs.ping();

/**
 * The stores answer before the service does: an unreachable EventStoreDB or S3 endpoint stops the
 * process with one line saying which, instead of a server that fails every request.
 */
export const verifyStores = async (app: App): Promise<void> => {
  const { config, deps } = app;
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
    const { keepsDeletedObjects, s3Client } = await import('./adapters/blobs/s3-client.js');
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

const HOUR = 60 * 60 * 1000;

/** Config → adapters → use cases: factories in a container of their own, each built once, on first use. */
export const compose = async (config: Config, overrides: Overrides = () => undefined): Promise<App> => {
  const dataDir = resolve(config.LOCKER_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  // The production adapters' modules load before the graph is built: factories are synchronous.
  const eventStore = await eventStoreFactory(config, dataDir);
  const blobStore = await blobStoreFactory(config, dataDir);
  const keyStore = await keyStoreFactory(config, dataDir);
  const credentialStore = await credentialStoreFactory(config, dataDir);
  // Who holds the dispatch leases: the same after a restart, so a node that crashed takes its own
  // lease back at once instead of waiting for it to expire.
  const nodeId = config.LOCKER_NODE_ID ?? `${hostname()}-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`;
  // nodemailer only when mail is configured, like the production stores' clients.
  const smtpMailer = config.LOCKER_SMTP_URL ? (await import('./adapters/smtp/smtp-mailer.js')).smtpMailer : undefined;
  const c: DependencyContainer = container.createChildContainer();
  const once = <T>(token: symbol, build: (c: DependencyContainer) => T) => c.register<T>(token, { useFactory: instanceCachingFactory(build) });
  c.register(TOKENS.Config, { useValue: config });
  once(TOKENS.Metrics, () => prometheusMetrics());
  // The stores count what they append and commit, for /metrics.
  once(TOKENS.Keys, () => keyStore());
  // Personal fields are sealed on the way in and opened on the way out (crypto-shredding, ADR 23).
  let rawEvents: EventStore | undefined;
  once(TOKENS.Sealed, (r) => shreddingEventStore((rawEvents = eventStore(r.resolve<PrometheusMetrics>(TOKENS.Metrics).malformedEvent)), r.resolve<KeyStore>(TOKENS.Keys)));
  once(TOKENS.EventStore, (r) => r.resolve<PrometheusMetrics>(TOKENS.Metrics).countingEvents(r.resolve<ReturnType<typeof shreddingEventStore>>(TOKENS.Sealed)));
  once(TOKENS.BlobStore, (r) => r.resolve<PrometheusMetrics>(TOKENS.Metrics).countingBlobs(blobStore()));
  // Mail is queued only where it is sent: with a mailer (an SMTP server, or a test's).
  once(TOKENS.ReadModels, (r) => openSqliteReadModels(join(dataDir, 'read-models.sqlite'), { mail: r.resolve<Mailer | null>(TOKENS.Mailer) !== null }));
  once(TOKENS.Notary, () => openSqliteNotaryLedger(join(dataDir, 'notary.sqlite'), { synchronous: config.LOCKER_SQLITE_SYNCHRONOUS }));
  once(TOKENS.Signer, () => ed25519Signer({ pem: config.LOCKER_AUDIT_SIGNING_KEY, file: join(dataDir, 'audit-signing-key.pem') }));
  c.register(TOKENS.Clock, { useValue: systemClock });
  c.register(TOKENS.Ids, { useValue: cryptoIds });
  once(TOKENS.Streams, (r) => streams(r.resolve<IdGenerator>(TOKENS.Ids)));
  once(TOKENS.Projector, (r) => new Projector(r.resolve<EventStore>(TOKENS.EventStore), r.resolve<ReadModels>(TOKENS.ReadModels)));
  once(TOKENS.CloudDrive, () => lazyCloudDrive(() => import('./adapters/webdav/webdav-cloud-drive.js').then((m) => m.webdavCloudDrive({ timeoutMs: config.LOCKER_CLOUD_TIMEOUT_MS, allowedHosts: config.LOCKER_WEBHOOK_ALLOWED_HOSTS }))));
  once(TOKENS.Credentials, () => credentialStore());
  once(TOKENS.Deps, (r): Deps => ({
    events: r.resolve(TOKENS.EventStore),
    // The sealing store's own log: personal fields stay sealed (ADR 24).
    impersonalEvents: r.resolve<ReturnType<typeof shreddingEventStore>>(TOKENS.Sealed).raw,
    blobs: r.resolve(TOKENS.BlobStore),
    readModels: r.resolve(TOKENS.ReadModels),
    notary: r.resolve(TOKENS.Notary),
    signer: r.resolve(TOKENS.Signer),
    projector: r.resolve(TOKENS.Projector),
    clock: r.resolve(TOKENS.Clock),
    ids: r.resolve(TOKENS.Ids),
    streams: r.resolve(TOKENS.Streams),
    defaultMaxDocumentBytes: config.LOCKER_DEFAULT_MAX_DOCUMENT_BYTES,
    mailEnabled: config.LOCKER_SMTP_URL !== undefined,
    clouds: r.resolve(TOKENS.CloudDrive),
    credentials: r.resolve(TOKENS.Credentials),
    keys: { shred: (tenant, subject, stream) => r.resolve<Shredder>(TOKENS.Sealed).shred(tenant, subject, stream), close: () => r.resolve<KeyStore>(TOKENS.Keys).close() },
  }));
  // No SMTP server configured: notifications stay in the app, and nothing is mailed.
  once(TOKENS.Mailer, (): Mailer | null =>
    smtpMailer && config.LOCKER_SMTP_URL ? smtpMailer({ url: config.LOCKER_SMTP_URL, from: config.LOCKER_MAIL_FROM!, timeoutMs: config.LOCKER_STORE_TIMEOUT_MS }) : null,
  );
  once(TOKENS.MailDispatcher, (r): MailDispatcher | null => {
    const mailer = r.resolve<Mailer | null>(TOKENS.Mailer);
    if (!mailer) return null;
    return mailDispatcher(r.resolve<Deps>(TOKENS.Deps), mailer, {
      holder: nodeId,
      leaseMs: 60_000,
      maxAttempts: config.LOCKER_MAIL_MAX_ATTEMPTS,
      retryBaseMs: config.LOCKER_MAIL_RETRY_BASE_MS,
      maxAgeMs: config.LOCKER_MAIL_MAX_AGE_HOURS * HOUR,
      publicUrl: config.LOCKER_PUBLIC_URL ?? `http://${config.LOCKER_HOST}:${config.LOCKER_PORT}`,
      messageIdDomain: (config.LOCKER_MAIL_FROM ?? '').replace(/.*@/, '').replace(/>.*/, '') || 'digital-locker.invalid',
      batch: 1000,
      concurrency: 4,
    });
  });
  once(TOKENS.UseCases, (r) => useCases(r.resolve<Deps>(TOKENS.Deps)));
  once(TOKENS.Webhooks, (r) =>
    webhooks(r.resolve<Deps>(TOKENS.Deps), fetchWebhookSender({ timeoutMs: config.LOCKER_WEBHOOK_TIMEOUT_MS, allowedHosts: config.LOCKER_WEBHOOK_ALLOWED_HOSTS }), {
      holder: nodeId,
      allowedHosts: config.LOCKER_WEBHOOK_ALLOWED_HOSTS,
      retryBaseMs: config.LOCKER_WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: HOUR,
      disableAfterMs: 3 * 24 * HOUR,
      leaseMs: 60_000,
      concurrency: 4,
    }),
  );
  overrides(c);
  const deps = c.resolve<Deps>(TOKENS.Deps);
  const uc = c.resolve<UseCases>(TOKENS.UseCases);
  const mail = c.resolve<MailDispatcher | null>(TOKENS.MailDispatcher);
  const hooks = c.resolve<WebhookService>(TOKENS.Webhooks);
  return {
    config,
    metrics: c.resolve(TOKENS.Metrics),
    deps,
    useCases: uc,
    mail,
    webhooks: hooks,
    jwtSecret: jwtSecretOf(config),
    nodeId,
    checkpointInBackground: () => {
      for (const store of [rawEvents, deps.readModels]) (store as { checkpointInBackground?: () => void } | undefined)?.checkpointInBackground?.();
    },
    close: async () => {
      c.resolve<Mailer | null>(TOKENS.Mailer)?.close();
      // A catch-up a turn of the event loop away would otherwise run on closed stores.
      await deps.projector.stop();
      await deps.events.close();
      await deps.readModels.close();
      deps.notary.close();
      deps.credentials?.close();
      deps.keys.close();
      c.clearInstances();
    },
  };
};

export type RunningServer = { app: App; server: FastifyInstance; url: string; stop(): Promise<void> };


export const startServer = async (config: Config, overrides?: Overrides): Promise<RunningServer> => {
  const app = await compose(config, overrides);
  try {
    await verifyStores(app);
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  const caughtUp = await app.deps.projector.catchUp();
  if (caughtUp.isErr()) throw new Error(`the event store is not answering: ${JSON.stringify(caughtUp.error)}`);
  if (config.LOCKER_SQLITE_CHECKPOINT_THREAD === 'on') app.checkpointInBackground();
  // Cloud credentials cannot be read without the key they were sealed with.
  const cloudy = app.deps.readModels.tenants().filter((t) => app.deps.readModels.settings(t).clouds.length > 0);
  if (cloudy.length > 0 && !app.deps.credentials) {
    await app.close();
    throw new Error(`LOCKER_SECRETS_KEY is required: tenant ${cloudy[0]} has cloud services configured`);
  }
  // A directory sync the last process did not finish (lockers, documents following it) is finished now.
  const resumed: string[] = [];
  for (const tenant of app.deps.readModels.tenants()) {
    if ((await app.useCases.resumeDirectorySync(tenant)).unwrapOr(false)) resumed.push(tenant);
  }
  const verifier = createVerifier({
    secret: app.jwtSecret,
    publicKeyPem: config.LOCKER_JWT_PUBLIC_KEY,
    issuer: config.LOCKER_JWT_ISSUER,
    audience: config.LOCKER_JWT_AUDIENCE,
  });
  const server = await buildServer({
    useCases: app.useCases,
    version: VERSION,
    verifier,
    logLevel: config.LOCKER_LOG_LEVEL,
    metrics: {
      observe: app.metrics.observeRequest,
      scrape: app.metrics.probe({
        projectorLag: async () => (await app.useCases.projectorLag()).unwrapOr({ events: -1, seconds: -1 }),
        rollovers: () => app.useCases.rollovers.running(),
        outbox: () => {
          const totals: Record<string, number> = { pending: 0, held: 0, failed: 0 };
          for (const tenant of app.deps.readModels.tenants()) {
            const { counts } = app.deps.readModels.outbox(tenant, undefined, { limit: 1 }, app.deps.clock.now());
            totals.pending! += counts.pending - counts.held;
            totals.held! += counts.held;
            totals.failed! += counts.failed;
          }
          return totals;
        },
      }),
    },
    uploads: { idleTimeoutMs: config.LOCKER_UPLOAD_IDLE_TIMEOUT_MS, minBytesPerSecond: config.LOCKER_UPLOAD_MIN_BYTES_PER_SECOND, slots: uploadSlots(config.LOCKER_MAX_CONCURRENT_UPLOADS) },
    webhooks: app.webhooks,
    sseHeartbeatMs: config.LOCKER_SSE_HEARTBEAT_MS,
  });
  const url = await server.listen({ host: config.LOCKER_HOST, port: config.LOCKER_PORT });
  if (resumed.length > 0) server.log.info({ tenants: resumed }, 'finished directory syncs cut short by the last stop');
  const withoutFlags = SERVER_NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag) && !(process.env['NODE_OPTIONS'] ?? '').includes(flag));
  if (withoutFlags.length > 0) server.log.warn({ missing: withoutFlags }, 'Node was started without the server’s flags (ADR 28): long streams will peak higher in memory');
  // Other nodes' writes, and anything appended by the CLI, reach this node's read models too.
  const poll = setInterval(() => void app.deps.projector.catchUp(), 1000);
  // With EventStoreDB, a subscription to $all wakes the projector as soon as any node writes.
  const unwatch = app.deps.events.watch?.(
    () => void app.deps.projector.catchUp(),
    (e) => server.log.warn({ err: e }, 'subscription to the event store dropped; resubscribing'),
  );
  const sweep = setInterval(
    () => void app.useCases.sweepBlobs(sweepGraceMs(app.deps, { filesPerRequest: MAX_FILES_PER_DEPOSIT, minBytesPerSecond: config.LOCKER_UPLOAD_MIN_BYTES_PER_SECOND, idleTimeoutMs: config.LOCKER_UPLOAD_IDLE_TIMEOUT_MS }), app.nodeId).map((r) => r.deleted.length && server.log.info({ deleted: r.deleted.length }, 'swept blobs')),
    HOUR,
  );
  // The notary chains and signs what was appended, at least every minute with activity.
  const notary = setInterval(
    () => void app.useCases.notarize().match(
      (run) => run.signed.length && server.log.info({ linked: run.linked, signed: run.signed.length }, 'checkpoints signed'),
      (e) => server.log.warn({ error: e }, 'notary could not read the log; will retry'),
    ),
    config.LOCKER_NOTARY_INTERVAL_MS,
  );
  // Asks with a deadline: what fell due (also while the server was down) is reminded now, once, then every interval.
  const remindDue = () =>
    void app.useCases.remindDue().match(
      (run) => run.reminded && server.log.info(run, 'due reminders sent'),
      (e) => server.log.warn({ error: e }, 'due reminders failed; will retry'),
    );
  remindDue();
  const scheduler = setInterval(remindDue, config.LOCKER_SCHEDULER_INTERVAL_MS);
  scheduler.unref();
  // Retention: documents whose category keeps them for a while expire, checked at start and daily.
  const retention = () => {
    void app.useCases.applyRetention().match(
      (run) => run.expired && server.log.info(run, 'documents expired'),
      (e) => server.log.warn({ error: e }, 'retention failed; will retry'),
    );
    // The outboxes forget what went out long ago: they would otherwise grow with every mail and event.
    void app.useCases.pruneDeliveries(config.LOCKER_DELIVERY_HISTORY_DAYS * 24 * HOUR).match(
      (run) => (run.mails || run.webhookDeliveries) && server.log.info(run, 'old deliveries forgotten'),
      (e) => server.log.warn({ error: e }, 'pruning deliveries failed; will retry'),
    );
    // People gone from the directory longer than their school's delay are erased.
    void app.useCases.erasures.eraseDeparted().match(
      (run) => run.erased && server.log.info(run, 'departed people erased'),
      (e) => server.log.warn({ error: e }, 'erasure of departed people failed; will retry'),
    );
  };
  retention();
  const daily = setInterval(retention, 24 * HOUR);
  daily.unref();
  // Mails go out as they fall due (and at start, what was due while the server was down).
  let mailing = false;
  const mailer = app.mail
    ? setInterval(() => {
        if (mailing) return;
        mailing = true;
        void app.mail!.tick()
          .then((r) =>
            r.match(
              (run) => (run.sent || run.failed) && server.log.info({ ...run, leaseHeldElsewhere: run.leaseHeldElsewhere.length }, 'mail dispatched'),
              (e) => server.log.warn({ error: e }, 'mail dispatch failed; will retry'),
            ),
          )
          .finally(() => (mailing = false));
      }, config.LOCKER_MAIL_POLL_MS)
    : undefined;
  mailer?.unref();
  // Webhook deliveries: what is due, in order per document; also what was pending before a restart.
  let hooking = false;
  const hooker = setInterval(() => {
    if (hooking) return;
    hooking = true;
    void app.webhooks
      .tick()
      .then((r) => r.match((run) => run.disabled && server.log.warn(run, 'webhook endpoints disabled'), (e) => server.log.warn({ error: e }, 'webhook dispatch failed; will retry')))
      .finally(() => (hooking = false));
  }, config.LOCKER_WEBHOOK_POLL_MS);
  hooker.unref();
  poll.unref();
  sweep.unref();
  notary.unref();
  return {
    app,
    server,
    url,
    stop: async () => {
      (server as unknown as { beginShutdown: () => void }).beginShutdown();
      server.log.info({ graceMs: config.LOCKER_SHUTDOWN_GRACE_MS }, 'shutting down');
      clearInterval(poll);
      clearInterval(sweep);
      clearInterval(notary);
      if (mailer) clearInterval(mailer);
      clearInterval(hooker);
      await app.webhooks.settled();
      clearInterval(scheduler);
      clearInterval(daily);
      await app.mail?.settled();
      unwatch?.();
      // In-flight requests get a grace period to finish; then every connection is closed, including
      // keep-alive ones Node still counts as busy (a refusal answered before its body was read).
      const grace = setTimeout(() => server.server.closeAllConnections(), config.LOCKER_SHUTDOWN_GRACE_MS);
      await server.close();
      clearTimeout(grace);
      await app.close();
      server.log.info('stopped');
    },
  };
};

/** The CLI's view of this composition root: it receives the composed app, never builds one itself. */
export const cliHost = (config: Config): CliHost => ({
  open: async () => {
    const app = await compose(config);
    return {
      useCases: app.useCases,
      events: app.deps.events,
      impersonalEvents: app.deps.impersonalEvents,
      notary: app.deps.notary,
      publicKeyPem: app.deps.signer.publicKeyPem,
      jwtSecret: app.jwtSecret,
      tenants: () => app.deps.readModels.tenants(),
      close: app.close,
    };
  },
  serve: () => startServer(config),
  dataDir: config.LOCKER_DATA_DIR,
  tokenClaims: { issuer: config.LOCKER_JWT_ISSUER, audience: config.LOCKER_JWT_AUDIENCE },
});

/** This build's version, as package.json says. */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The process entry point: `locker <command>` (and `npm start`, which is `locker serve`). */
export const main = async (argv: readonly string[], env: Record<string, string | undefined>): Promise<void> => {
  // A bad variable stops the command with the one line loadConfig wrote, naming it.
  const outcome = await runCli(argv, () => cliHost(loadConfig(env)), VERSION);
  if (outcome.message) process.stderr.write(`locker: ${outcome.message}\n`);
  if (outcome.exitCode !== 0) process.exit(outcome.exitCode);
};

const isEntryPoint = () => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
};

if (isEntryPoint()) await main(process.argv.slice(2), process.env);
