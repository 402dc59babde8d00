import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ResultAsync } from 'neverthrow';
import { container, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { Deps } from '../application/deps.js';
import type { CloudDrive } from '../application/ports/cloud-drive.js';
import type { EventStore } from '../application/ports/event-store.js';
import type { IdGenerator } from '../application/ports/id-generator.js';
import type { KeyStore, Shredder } from '../application/ports/key-store.js';
import type { Mailer } from '../application/ports/mailer.js';
import type { ReadModels } from '../application/ports/read-models.js';
import type { SnapshotStore } from '../application/ports/snapshot-store.js';
import type { VirusScanner } from '../application/ports/virus-scanner.js';
import { Projector } from '../application/projector.js';
import { streams } from '../application/streams.js';
import { mailDispatcher, type MailDispatcher } from '../application/use-cases/dispatch-mail.js';
import { webhooks, type WebhookService } from '../application/use-cases/webhooks.js';
import { restoreSnapshot } from '../application/use-cases/snapshots.js';
import { useCases, type UseCases } from '../application/use-cases.js';
import { clamdScanner } from '../adapters/clamav/clamd-scanner.js';
import type { Config } from '../adapters/config/config.js';
import { prometheusMetrics, type PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { shreddingEventStore } from '../adapters/shared/shredding-event-store.js';
import { chainVerifier } from '../adapters/shared/verify-chains.js';
import type { CheckpointSigner } from '../application/ports/notary.js';
import { openSqliteNotaryLedger } from '../adapters/sqlite/sqlite-notary-ledger.js';
import { openSqliteReadModels } from '../adapters/sqlite/sqlite-read-models.js';
import { installReadModels } from '../adapters/sqlite/read-model-snapshot.js';
import { cryptoIds } from '../adapters/system/crypto-ids.js';
import { ed25519Signer } from '../adapters/system/ed25519-signer.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { fetchWebhookSender } from '../adapters/webhooks/fetch-webhook-sender.js';
import { blobStoreFactory, credentialStoreFactory, eventStoreFactory, jwtSecretOf, keyStoreFactory, snapshotStoreFactory } from './stores.js';

const HOUR = 60 * 60 * 1000;

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
  Scanner: Symbol('VirusScanner'),
  Snapshots: Symbol('SnapshotStore'),
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
  /** The data keys themselves, for a school moving to another deployment (ADR 54); use cases only shred. */
  readonly keyStore: KeyStore;
  /** The node had no read models and started from the deployment's newest copy of them (or tried to). */
  readonly readModelsRestored: Awaited<ReturnType<typeof restoreSnapshot>> | null;
  /** For a long-running server: the embedded SQLite files checkpoint in a worker thread (ADR 29). */
  checkpointInBackground(): void;
  close(): Promise<void>;
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
  const smtpMailer = config.LOCKER_SMTP_URL ? (await import('../adapters/smtp/smtp-mailer.js')).smtpMailer : undefined;
  // A node without read models (new, or its disk wiped) starts from the newest copy of them, if the
  // deployment keeps any, and catches up from its checkpoint instead of projecting the whole log.
  const snapshotStore = (await snapshotStoreFactory(config, dataDir))();
  const readModelsFile = join(dataDir, 'read-models.sqlite');
  const readModelsRestored =
    snapshotStore && !existsSync(readModelsFile) ? await restoreSnapshot(snapshotStore, (content, snapshot) => installReadModels(readModelsFile, content, snapshot.sha256)) : null;
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
  once(TOKENS.ReadModels, (r) => openSqliteReadModels(readModelsFile, { mail: r.resolve<Mailer | null>(TOKENS.Mailer) !== null }));
  once(TOKENS.Notary, () => openSqliteNotaryLedger(join(dataDir, 'notary.sqlite'), { synchronous: config.LOCKER_SQLITE_SYNCHRONOUS }));
  once(TOKENS.Signer, () => ed25519Signer({ pem: config.LOCKER_AUDIT_SIGNING_KEY, file: join(dataDir, 'audit-signing-key.pem') }));
  c.register(TOKENS.Clock, { useValue: systemClock });
  c.register(TOKENS.Ids, { useValue: cryptoIds });
  once(TOKENS.Streams, (r) => streams(r.resolve<IdGenerator>(TOKENS.Ids)));
  once(TOKENS.Projector, (r) => new Projector(r.resolve<EventStore>(TOKENS.EventStore), r.resolve<ReadModels>(TOKENS.ReadModels)));
  once(TOKENS.CloudDrive, () => lazyCloudDrive(() => import('../adapters/webdav/webdav-cloud-drive.js').then((m) => m.webdavCloudDrive({ timeoutMs: config.LOCKER_CLOUD_TIMEOUT_MS, allowedHosts: config.LOCKER_WEBHOOK_ALLOWED_HOSTS }))));
  once(TOKENS.Credentials, () => credentialStore());
  once(TOKENS.Snapshots, () => snapshotStore);
  once(TOKENS.Scanner, (): VirusScanner | null => (config.LOCKER_CLAMD_URL ? clamdScanner(config.LOCKER_CLAMD_URL, { timeoutMs: config.LOCKER_SCAN_TIMEOUT_MS }) : null));
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
    scanner: r.resolve(TOKENS.Scanner),
    scanRequired: config.LOCKER_SCAN_REQUIRED,
    snapshots: r.resolve<SnapshotStore | null>(TOKENS.Snapshots),
    keys: { shred: (tenant, subject, stream) => r.resolve<Shredder>(TOKENS.Sealed).shred(tenant, subject, stream), close: () => r.resolve<KeyStore>(TOKENS.Keys).close() },
    chains: chainVerifier(r.resolve(TOKENS.EventStore), r.resolve(TOKENS.Notary), () => r.resolve<CheckpointSigner>(TOKENS.Signer).publicKeyPem),
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
    keyStore: c.resolve<KeyStore>(TOKENS.Keys),
    readModelsRestored,
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
