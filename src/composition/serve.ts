import type { FastifyInstance } from 'fastify';
import { createVerifier } from '../adapters/http/auth.js';
import { buildServer } from '../adapters/http/server.js';
import { uploadSlots } from '../adapters/http/upload.js';
import type { Config } from '../adapters/config/config.js';
import { SERVER_NODE_FLAGS } from '../adapters/system/server-runtime.js';
import { compose, type App, type Overrides } from './compose.js';
import { periodicJobs, startJobs } from './jobs.js';
import { verifyStores } from './stores.js';
import { VERSION } from './version.js';

export type RunningServer = { app: App; server: FastifyInstance; url: string; stop(): Promise<void> };


/**
 * The HTTP service: the stores answer, the read models catch up, a directory sync cut short is
 * finished, then the server listens and the periodic jobs run until `stop`.
 */
export const startServer = async (config: Config, overrides?: Overrides): Promise<RunningServer> => {
  const app = await compose(config, overrides);
  try {
    await verifyStores(app.config, app.deps);
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
    apiDocsUi: config.LOCKER_API_DOCS_UI,
    console: { oidc: config.LOCKER_OIDC_ISSUER && config.LOCKER_OIDC_CLIENT_ID ? { issuer: config.LOCKER_OIDC_ISSUER, clientId: config.LOCKER_OIDC_CLIENT_ID } : undefined },
    sseHeartbeatMs: config.LOCKER_SSE_HEARTBEAT_MS,
  });
  const url = await server.listen({ host: config.LOCKER_HOST, port: config.LOCKER_PORT });
  const restored = app.readModelsRestored;
  if (restored?.restored) server.log.info({ checkpoint: String(restored.restored.checkpoint), takenAt: restored.restored.takenAt }, 'started from a copy of the read models');
  if (restored?.failed) server.log.warn({ failed: restored.failed }, 'no copy of the read models could be restored: projected from the log instead');
  if (resumed.length > 0) server.log.info({ tenants: resumed }, 'finished directory syncs cut short by the last stop');
  const withoutFlags = SERVER_NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag) && !(process.env['NODE_OPTIONS'] ?? '').includes(flag));
  if (withoutFlags.length > 0) server.log.warn({ missing: withoutFlags }, 'Node was started without the server’s flags (ADR 28): long streams will peak higher in memory');
  const jobs = startJobs(periodicJobs(app, server.log));
  // With EventStoreDB, a subscription to $all wakes the projector as soon as any node writes.
  const unwatch = app.deps.events.watch?.(
    () => void app.deps.projector.catchUp(),
    (e) => server.log.warn({ err: e }, 'subscription to the event store dropped; resubscribing'),
  );
  return {
    app,
    server,
    url,
    stop: async () => {
      (server as unknown as { beginShutdown: () => void }).beginShutdown();
      server.log.info({ graceMs: config.LOCKER_SHUTDOWN_GRACE_MS }, 'shutting down');
      // A run under way finishes (a mail being sent, a delivery, a signature); no new one starts.
      await jobs.stop();
      await app.webhooks.settled();
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
