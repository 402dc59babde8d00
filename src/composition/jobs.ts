import type { FastifyBaseLogger } from 'fastify';
import type { Result } from 'neverthrow';
import { MAX_FILES_PER_DEPOSIT } from '../adapters/http/upload.js';
import { sweepGraceMs } from '../application/use-cases/sweep-blobs.js';
import type { App } from './compose.js';
import { snapshotEveryMinutes } from './stores.js';

const HOUR = 60 * 60 * 1000;

/** Something the server does on its own, every `everyMs`; at start too when `atStart`. */
export type Job = { readonly name: string; readonly everyMs: number; readonly atStart?: boolean; readonly run: () => Promise<unknown> };

/** A use case's run, logged: what it did when it did something, a warning when it failed (the next run retries). */
const logged = <T, E>(log: FastifyBaseLogger, work: () => PromiseLike<Result<T, E>>, done: (run: T) => object | false, what: string) => async () =>
  (await work()).match(
    (run) => {
      const said = done(run);
      if (said) log.info(said, what);
    },
    (error) => log.warn({ error }, `${what}: failed; will retry`),
  );

/**
 * Every periodic job of a server, in one table: what runs, how often, and whether a restart runs it
 * at once (what fell due while the server was down).
 */
export const periodicJobs = (app: App, log: FastifyBaseLogger): Job[] => {
  const { config, useCases: uc } = app;
  const jobs: Job[] = [
    // Other nodes' writes, and anything appended by the CLI, reach this node's read models too.
    { name: 'catch-up', everyMs: 1000, run: () => app.deps.projector.catchUp() },
    // The notary chains and signs what was appended, at least every interval with activity.
    { name: 'notary', everyMs: config.LOCKER_NOTARY_INTERVAL_MS, run: logged(log, uc.notarize, (r) => r.signed.length > 0 && { linked: r.linked, signed: r.signed.length }, 'checkpoints signed') },
    // Asks with a deadline: what fell due is reminded once.
    { name: 'due reminders', everyMs: config.LOCKER_SCHEDULER_INTERVAL_MS, atStart: true, run: logged(log, uc.remindDue, (r) => r.reminded > 0 && r, 'due reminders sent') },
    // Documents whose category keeps them for a while expire.
    { name: 'retention', everyMs: 24 * HOUR, atStart: true, run: logged(log, uc.applyRetention, (r) => r.expired > 0 && r, 'documents expired') },
    // The outboxes forget what went out long ago: they would otherwise grow with every mail and event.
    {
      name: 'pruning',
      everyMs: 24 * HOUR,
      atStart: true,
      run: logged(log, () => uc.pruneDeliveries(config.LOCKER_DELIVERY_HISTORY_DAYS * 24 * HOUR), (r) => (r.mails > 0 || r.webhookDeliveries > 0) && r, 'old deliveries forgotten'),
    },
    // People gone from the directory longer than their school's delay are erased.
    { name: 'erasure', everyMs: 24 * HOUR, atStart: true, run: logged(log, uc.erasures.eraseDeparted, (r) => r.erased > 0 && r, 'departed people erased') },
    // Blobs no event points to (an upload cut short, a refused deposit) are deleted once surely abandoned.
    {
      name: 'sweep',
      everyMs: HOUR,
      run: logged(
        log,
        () =>
          uc.sweepBlobs(
            sweepGraceMs(app.deps, { filesPerRequest: MAX_FILES_PER_DEPOSIT, minBytesPerSecond: config.LOCKER_UPLOAD_MIN_BYTES_PER_SECOND, idleTimeoutMs: config.LOCKER_UPLOAD_IDLE_TIMEOUT_MS }),
            app.nodeId,
          ),
        (r) => r.deleted.length > 0 && { deleted: r.deleted.length },
        'swept blobs',
      ),
    },
    // Webhook deliveries: what is due, in order per document; also what was pending before a restart.
    { name: 'webhooks', everyMs: config.LOCKER_WEBHOOK_POLL_MS, run: logged(log, app.webhooks.tick, (r) => r.disabled > 0 && r, 'webhook endpoints disabled') },
  ];
  // Files accepted while the virus scanner could not tell are scanned as soon as it answers again.
  if (app.deps.scanner) {
    jobs.push({
      name: 'pending scans',
      everyMs: 60_000,
      atStart: true,
      run: logged(log, uc.scans.scanPending, (r) => r.scanned > 0 && r, 'pending files scanned'),
    });
  }
  // A copy of the read models for nodes that start without them, by one node of the deployment (ADR 51).
  const snapshotMinutes = snapshotEveryMinutes(config);
  if (snapshotMinutes > 0 && app.deps.snapshots) {
    jobs.push({
      name: 'snapshot',
      everyMs: snapshotMinutes * 60_000,
      run: logged(log, () => uc.snapshots.take(app.nodeId), (r) => r.taken !== null && { checkpoint: String(r.taken.checkpoint), sizeBytes: r.taken.sizeBytes, deleted: r.deleted }, 'read models copied'),
    });
  }
  // Mails go out as they fall due; only where an SMTP server is configured.
  const mail = app.mail;
  if (mail) {
    jobs.push({
      name: 'mail',
      everyMs: config.LOCKER_MAIL_POLL_MS,
      run: logged(log, mail.tick, (r) => (r.sent > 0 || r.failed > 0) && { ...r, leaseHeldElsewhere: r.leaseHeldElsewhere.length }, 'mail dispatched'),
    });
  }
  return jobs;
};

export type RunningJobs = { stop(): Promise<void> };

/**
 * Runs each job every `everyMs` (and at once when `atStart`). A run never overlaps the job's
 * previous one: a tick that finds it still running is skipped. `stop` starts no new run and waits
 * for those under way. The timers never keep the process alive on their own.
 */
export const startJobs = (jobs: readonly Job[]): RunningJobs => {
  const running = new Map<string, Promise<void>>();
  const tick = (job: Job) => {
    if (running.has(job.name)) return;
    const run = Promise.resolve()
      .then(job.run)
      // A job reports its own failures; one that throws must not stop the next run.
      .then(() => undefined, () => undefined)
      .finally(() => running.delete(job.name));
    running.set(job.name, run);
  };
  const timers = jobs.map((job) => {
    if (job.atStart) tick(job);
    return setInterval(() => tick(job), job.everyMs).unref();
  });
  return {
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running.values());
    },
  };
};
