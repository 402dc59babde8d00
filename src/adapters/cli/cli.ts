import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import closeWithGrace from 'close-with-grace';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import type { EventStore } from '../../application/ports/event-store.js';
import type { NotaryLedger } from '../../application/ports/notary.js';
import { scanLog } from '../../application/read-log.js';
import { TENANT_PATTERN } from '../../application/streams.js';
import type { UseCases } from '../../application/use-cases.js';
import { SYSTEM_SCOPE } from '../../application/use-cases/rollover.js';
import { directorySchema } from '../shared/directory-schema.js';
import { describeError } from '../shared/describe-error.js';
import { presentEvent } from '../shared/present-event.js';
import { findSharedKeys } from '../shared/shared-keys.js';
import { signToken } from '../shared/tokens.js';
import { ArchiveError, transferKeyOf } from '../shared/tenant-archive.js';
import { exportTenant, importTenant, type Progress, type TransferStores } from '../shared/tenant-transfer.js';
import { verifyChains, type TrustedCheckpoint } from '../shared/verify-chains.js';

/** What the CLI needs of the composed application; the composition root (src/main.ts) provides it. */
export type CliApp = {
  readonly useCases: UseCases;
  /** The log itself, for verify and export, which read it as stored. */
  readonly events: EventStore;
  /** The same log with personal fields left sealed: `keys check` reads which keys it names, no key opened. */
  readonly impersonalEvents: EventStore;
  /** What a school moving between deployments is read from and written to (ADR 54). */
  readonly transfer: TransferStores;
  /** The notary's record and the key its checkpoints are signed with, for verify. */
  readonly notary: NotaryLedger;
  readonly publicKeyPem: string;
  readonly jwtSecret: string;
  /** This node's name in leases: the server's on the same data folder, so the CLI never waits for the server's own lease. */
  readonly nodeId: string;
  /** The schools this deployment knows (from its read models): an auditor's typo is not an empty history. */
  tenants(): readonly string[];
  close(): Promise<void>;
};

/** A tenant the deployment does not know stops verify and export: 0 events would look like a clean result. */
const knownTenant = (app: CliApp, tenant: string | undefined) => {
  if (tenant !== undefined && !app.tenants().includes(tenant)) throw new Error(`unknown tenant ${tenant}: this deployment has ${app.tenants().length === 0 ? 'none' : app.tenants().join(', ')}`);
};

export type CliHost = {
  /** Composes the application over the configured stores; the command closes it. */
  open(): Promise<CliApp>;
  /** Starts the HTTP service; resolves once it listens. */
  serve(): Promise<{ url: string; stop(): Promise<void> }>;
  readonly dataDir: string;
  /** How long requests in flight get to finish when the server is stopped. */
  readonly shutdownGraceMs: number;
  readonly tokenClaims: { readonly issuer?: string | undefined; readonly audience?: string | undefined };
  /** Where people reach the service: links printed by the CLI start with it. */
  readonly publicUrl: string;
};

class UsageError extends Error {}

const tenantOf = (value: string) => {
  if (!TENANT_PATTERN.test(value)) throw new UsageError('--tenant must be lower-case letters, digits and dashes');
  return value;
};

const positiveSeconds = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError('--ttl is a positive number of seconds');
  return n;
};

/** Opens the composed application for one command and closes it afterwards, whatever happens. */
const withApp = async <T>(host: CliHost, work: (app: CliApp) => Promise<T>): Promise<T> => {
  const app = await host.open();
  try {
    return await work(app);
  } finally {
    await app.close();
  }
};

const print = (line: string) => void process.stdout.write(`${line}\n`);

/** The commands, declared with their options and help; each action does one thing. */
const program = (host: () => CliHost, version: string) => {
  const root = new Command('locker')
    .description('digital-locker: the service, and what admins and auditors run beside it.\nConfiguration comes from LOCKER_* environment variables (see README).')
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print this help and do nothing else')
    .showHelpAfterError(false)
    .exitOverride();

  root
    .command('serve')
    .description('run the HTTP service (what npm start runs)')
    .action(async () => {
      const h = host();
      const running = await h.serve();
      // One JSON line like every other on stdout (a log shipper takes no plain-text banner).
      print(
        JSON.stringify({
          level: 30,
          time: Date.now(),
          msg: `digital-locker listening on ${running.url} (data in ${h.dataDir})`,
          url: running.url,
          docs: `${running.url}/docs`,
          openapi: `${running.url}/openapi.json`,
          metrics: `${running.url}/metrics`,
          health: `${running.url}/health`,
          ready: `${running.url}/ready`,
          tryIt: 'npx locker directory import FILE --tenant <tenant>, then npx locker token --tenant <tenant> --user <user id>',
        }),
      );
      // A signal, or an error nothing caught, stops the server as `stop` does: requests in flight
      // finish within the grace period, jobs under way end, the stores close. Past the grace (and
      // a margin for the jobs), or on a second signal, the process exits at once.
      closeWithGrace({ delay: h.shutdownGraceMs + 10_000, logger: false }, async ({ err }) => {
        if (err) process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), msg: 'stopping after an uncaught error', err: { message: err.message, stack: err.stack } })}\n`);
        await running.stop();
      });
    });

  root
    .command('token')
    .description('print a token signed with the configured secret')
    .requiredOption('--tenant <tenant>', 'the tenant (school) id (required)')
    .requiredOption('--user <id>', 'the user id (the token subject) (required)')
    .option('--scope <scope>', 'e.g. directory:write for a directory-sync service')
    .option('--ttl <seconds>', 'lifetime in seconds', '3600')
    .action(async (o: { tenant: string; user: string; scope?: string; ttl: string }) => {
      const tenant = tenantOf(o.tenant);
      const ttlSeconds = positiveSeconds(o.ttl);
      const h = host();
      await withApp(h, async (app) => {
        // A token for someone the school's directory does not hold is refused (403) until it does: said now.
        const directory = await app.useCases.readDirectory({ tenant, userId: 'cli', scopes: ['directory:write'] });
        if (!o.scope && directory.isOk() && !directory.value.users.some((u) => u.id === o.user)) {
          process.stderr.write(`locker: warning: ${o.user} is not in the directory of ${tenant}: requests with this token are refused until they are\n`);
        }
        print(await signToken(app.jwtSecret, { tenant, userId: o.user, scope: o.scope, ttlSeconds, issuer: h.tokenClaims.issuer, audience: h.tokenClaims.audience }));
      });
    });

  root
    .command('console')
    .description('print a link that signs someone in to the console (/console) for a short while')
    .requiredOption('--tenant <tenant>', 'the tenant (school) id (required)')
    .requiredOption('--user <id>', 'an auditor or an admin of the school (required)')
    .option('--ttl <seconds>', 'how long the sign-in lasts, in seconds', '900')
    .action(async (o: { tenant: string; user: string; ttl: string }) => {
      const tenant = tenantOf(o.tenant);
      const ttlSeconds = positiveSeconds(o.ttl);
      const h = host();
      await withApp(h, async (app) => {
        knownTenant(app, tenant);
        const token = await signToken(app.jwtSecret, { tenant, userId: o.user, ttlSeconds, issuer: h.tokenClaims.issuer, audience: h.tokenClaims.audience });
        // In the fragment: a browser sends it to no server, and the page takes it out of the address at once.
        print(`${h.publicUrl.replace(/\/+$/, '')}/console/#token=${token}`);
      });
    });

  root
    .command('directory')
    .description('manage the directory offline')
    .command('import')
    .description('load a directory (JSON, as PUT /v1/directory) for a tenant; opens and closes lockers')
    .argument('<file>', 'the directory as JSON')
    .requiredOption('--tenant <tenant>', 'the tenant (school) id (required)')
    .action(async (file: string, o: { tenant: string }) => {
      const tenant = tenantOf(o.tenant);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
      }
      const parsed = directorySchema.safeParse(json);
      if (!parsed.success) throw new UsageError(`${file} is not a directory: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
      await withApp(host(), async (app) => {
        const result = await app.useCases.syncDirectory({ tenant, userId: 'cli:directory-import', scopes: ['directory:write'] }, parsed.data);
        if (result.isErr()) throw new UsageError(`directory refused: ${describeError(result.error)}`);
        print(JSON.stringify(result.value));
      });
    });

  root
    .command('rebuild')
    .description('rebuild this node’s read models from the event log')
    .action(async () =>
      withApp(host(), async (app) => {
        const started = Date.now();
        const progress = progressReporter('rebuild');
        const result = await app.useCases.rebuild((p) => progress({ done: p.applied, total: null, unit: 'events' }));
        progress(null);
        if (result.isErr()) throw new Error(`rebuild failed: ${describeError(result.error)}`);
        print(`read models rebuilt up to position ${result.value} in ${Date.now() - started} ms`);
      }),
    );

  root
    .command('snapshot')
    .description('store a copy of this node’s read models now, for nodes that start without them (ADR 51)')
    .action(async () =>
      withApp(host(), async (app) => {
        const result = await app.useCases.snapshots.take(app.nodeId);
        if (result.isErr()) throw new Error(`snapshot failed: ${describeError(result.error)}`);
        const { taken, deleted } = result.value;
        if (!taken) throw new UsageError('no copy taken: snapshots are off here (set LOCKER_SNAPSHOT_EVERY_MINUTES), another node holds the job, or there is nothing to copy yet');
        print(JSON.stringify({ checkpoint: String(taken.checkpoint), takenAt: taken.takenAt, sizeBytes: taken.sizeBytes, sha256: taken.sha256, deleted }));
      }),
    );

  root
    .command('rollover')
    .description('carry year N’s live documents into year N+1 (run again to bring them up to date)')
    .requiredOption('--tenant <tenant>', 'the tenant (school) id (required)')
    .requiredOption('--from <year>', 'the school year to close, e.g. 2025-2026 (required)')
    .requiredOption('--to <year>', 'the next school year, e.g. 2026-2027 (required)')
    .option('--dry-run', 'report what would happen, write nothing', false)
    .option('--categories <ids>', 'only these category ids, comma-separated')
    .action(async (o: { tenant: string; from: string; to: string; dryRun: boolean; categories?: string }) => {
      const tenant = tenantOf(o.tenant);
      await withApp(host(), async (app) => {
        const progress = progressReporter(`rollover ${o.from} → ${o.to}${o.dryRun ? ' (dry run)' : ''}`);
        const result = await app.useCases.rollover(
          { tenant, userId: 'cli:rollover', scopes: [SYSTEM_SCOPE] },
          { from: o.from, to: o.to, dryRun: o.dryRun, categories: o.categories?.split(',').map((c) => c.trim()).filter(Boolean) },
          // The first pass finds year N's documents; the total is known from then on, and right.
          (p) => progress({ done: p.documentsExamined, total: p.documentsTotal, unit: 'documents', note: `${p.eventsReplayed} events replayed` }),
        );
        progress(null);
        if (result.isErr()) throw new UsageError(`rollover refused: ${describeError(result.error)}`);
        print(JSON.stringify(result.value, null, 2));
      });
    });

  const audit = root.command('audit').description('the history, for auditors');
  audit
    .command('verify')
    .description('recompute every chain and hold it to signed checkpoints; exit 1 names the first broken event')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--checkpoint <file>', 'checkpoints an auditor saved (the answer of GET /v1/audit/checkpoints)')
    .action(async (o: { tenant?: string; checkpoint?: string }) => {
      const tenant = o.tenant === undefined ? undefined : tenantOf(o.tenant);
      // An auditor's checkpoint file is read before anything opens: a wrong file is a usage error.
      const external = o.checkpoint === undefined ? undefined : checkpointsIn(o.checkpoint);
      await withApp(host(), async (app) => {
        knownTenant(app, tenant);
        const progress = progressReporter('audit verify');
        // Held to the auditor's checkpoints when given, else to the latest the notary signed.
        const checkpoints =
          external ??
          app.notary.heads().flatMap((head) => {
            const last = app.notary.lastCheckpoint(head.tenant);
            return last ? [{ checkpoint: last, publicKeyPem: app.publicKeyPem }] : [];
          });
        const verified = await verifyChains(app.events, { tenant, notary: app.notary, checkpoints, onProgress: (n) => progress({ done: n, total: null, unit: 'events' }) });
        progress(null);
        if (verified.isErr()) throw new Error(describeError(verified.error));
        const report = verified.value;
        print(JSON.stringify(report));
        if (report.broken) {
          const b = report.broken;
          throw new Error(`broken chain at event ${b.id} (position ${b.position}, stream ${b.stream}, revision ${b.revision}, ${b.type}): ${b.reason}`);
        }
      });
    });
  audit
    .command('export')
    .description('the history as JSON lines on stdout')
    .requiredOption('--tenant <tenant>', 'the tenant (school) id (required)')
    .option('--from <time>', 'from this date or time, e.g. 2026-09-01')
    .option('--to <time>', 'up to this date or time')
    .action(async (o: { tenant: string; from?: string; to?: string }) => {
      const tenant = tenantOf(o.tenant);
      const from = o.from === undefined ? undefined : isoOf(o.from, '--from');
      const to = o.to === undefined ? undefined : isoOf(o.to, '--to');
      await withApp(host(), async (app) => {
        knownTenant(app, tenant);
        const exported = await scanLog(app.events, { tenant }, async (event) => {
          if ((from && event.meta.at < from) || (to && event.meta.at > to)) return;
          if (!process.stdout.write(`${JSON.stringify(presentEvent(event))}\n`)) await new Promise((r) => process.stdout.once('drain', r));
        });
        if (exported.isErr()) throw new Error(describeError(exported.error));
      });
    });

  const tenantCommand = root.command('tenant').description('a school moving to another deployment (ADR 54)');
  tenantCommand
    .command('new-key')
    .description('print a new transfer key (base64): keep it in a file, apart from the archive')
    .action(() => print(randomBytes(32).toString('base64')));
  tenantCommand
    .command('export')
    .description('write everything of one school to stdout as a tar sealed with the transfer key: events as stored, live data keys, blobs, signed checkpoints')
    .requiredOption('--tenant <tenant>', 'the tenant (school) id (required)')
    .requiredOption('--key-file <file>', 'the transfer key (locker tenant new-key)')
    .option('--out <file>', 'write the archive to this file instead of stdout')
    .action(async (o: { tenant: string; keyFile: string; out?: string }) => {
      const tenant = tenantOf(o.tenant);
      const key = transferKeyIn(o.keyFile);
      if (o.out === undefined && process.stdout.isTTY) throw new UsageError('the archive goes to stdout: send it to a file (> school.tar, or --out school.tar)');
      await withApp(host(), async (app) => {
        knownTenant(app, tenant);
        const progress = transferProgress('tenant export');
        // A file is made only once the school is known to be here: a typo leaves no empty archive behind.
        const out = o.out === undefined ? process.stdout : createWriteStream(o.out, { flags: 'wx' });
        const exported = await exportTenant(app.transfer, tenant, key, out, {
          notarize: async () => app.useCases.notarize(),
          onProgress: progress,
        });
        progress(null);
        if (exported.isErr()) throw new Error(describeError(exported.error));
        process.stderr.write(`${JSON.stringify(exported.value)}\n`);
      });
    });
  tenantCommand
    .command('import')
    .description('read a school from stdin (an archive of locker tenant export) into this deployment, then verify its chain against the checkpoints it carries')
    .requiredOption('--key-file <file>', 'the transfer key the archive was written with')
    .option('--checkpoints-out <file>', "write the source's signed checkpoints here, for audit verify --checkpoint")
    .option('--in <file>', 'read the archive from this file instead of stdin')
    .action(async (o: { keyFile: string; checkpointsOut?: string; in?: string }) => {
      const key = transferKeyIn(o.keyFile);
      if (o.in === undefined && process.stdin.isTTY) throw new UsageError('the archive comes on stdin: locker tenant import --key-file K < school.tar (or --in school.tar)');
      if (o.in !== undefined && !existsSync(o.in)) throw new UsageError(`cannot read ${o.in}: no such file`);
      await withApp(host(), async (app) => {
        const progress = transferProgress('tenant import');
        const moves = app.useCases.schoolMoves;
        const imported = await importTenant(app.transfer, key, o.in === undefined ? process.stdin : createReadStream(o.in), {
          onProgress: progress,
          // The cell's jobs leave the school alone until it is here whole and verified (ADR 54).
          beforeWriting: async (tenant) => {
            const held = await moves.started(tenant);
            if (held.isErr()) throw new Error(describeError(held.error));
          },
        });
        progress(null);
        if (imported.isErr()) throw new Error(`import refused: ${describeError(imported.error)}`);
        const { checkpoints, ...report } = imported.value;
        if (o.checkpointsOut) writeFileSync(o.checkpointsOut, `${JSON.stringify(checkpoints, null, 2)}\n`);
        // Projected before the command ends: the school is known here (to audit verify, to the server) at once.
        const projected = await app.useCases.catchUp();
        if (projected.isErr()) throw new Error(describeError(projected.error));
        // The school as it stands here, held to what the source signed.
        const verified = await verifyChains(app.events, {
          tenant: report.tenant,
          checkpoints: checkpoints.checkpoints.map((checkpoint) => ({ checkpoint, publicKeyPem: checkpoints.publicKey })),
        });
        if (verified.isErr()) throw new Error(describeError(verified.error));
        const failed = verified.value.checkpoints.filter((c) => !c.verified);
        print(JSON.stringify({ ...report, checkpoints: verified.value.checkpoints.length, broken: verified.value.broken }));
        if (verified.value.broken || failed.length > 0) throw new Error(`the imported school does not verify (the cell's jobs still leave it alone): ${verified.value.broken?.reason ?? failed[0]!.reason}`);
        const released = await moves.finished(report.tenant);
        if (released.isErr()) throw new Error(describeError(released.error));
      });
    });

  tenantCommand
    .command('release')
    .description("let the cell's jobs serve a school again after an import of it was abandoned (an import that verifies releases it itself)")
    .requiredOption('--tenant <tenant>', 'the school')
    .action(async (o: { tenant: string }) => {
      const tenant = tenantOf(o.tenant);
      await withApp(host(), async (app) => {
        const held = await app.useCases.schoolMoves.importing();
        if (held.isErr()) throw new Error(describeError(held.error));
        if (!held.value.has(tenant)) throw new UsageError(`${tenant} is not being imported here`);
        const released = await app.useCases.schoolMoves.finished(tenant);
        if (released.isErr()) throw new Error(describeError(released.error));
        print(JSON.stringify({ tenant, released: true }));
      });
    });

  const keys = root.command('keys').description('the data keys personal fields are sealed with');
  keys
    .command('check')
    .description('find data keys that two schools share (sealed before ADR 37); exit 1 lists them')
    .action(async () =>
      withApp(host(), async (app) => {
        const found = await findSharedKeys(app.impersonalEvents);
        if (found.isErr()) throw new Error(describeError(found.error));
        print(JSON.stringify(found.value));
        if (found.value.shared.length > 0)
          throw new Error(
            `${found.value.shared.length} key(s) shared by several schools: erasing the person or document in one school would erase it in the others (ADR 37 says what to do)`,
          );
      }),
    );

  root
    .command('sweep')
    .description('delete blobs no live document refers to, and abandoned uploads')
    .addOption(new Option('--grace-minutes <n>', 'leave what is younger than this').default('60'))
    .action(async (o: { graceMinutes: string }) => {
      const minutes = Number(o.graceMinutes);
      if (!Number.isFinite(minutes) || minutes < 0) throw new UsageError('--grace-minutes is a number of minutes');
      await withApp(host(), async (app) => {
        const swept = await app.useCases.sweepBlobs(minutes * 60_000);
        if (swept.isErr()) throw new Error(describeError(swept.error));
        print(JSON.stringify({ examined: swept.value.examined, deleted: swept.value.deleted.length, stagingRemoved: swept.value.stagingRemoved, leftToAnotherNode: swept.value.leftToAnotherNode }));
      });
    });

  root
    .command('scan')
    .description('scan the stored files again with the virus scanner’s current signatures; quarantine what is found')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--since <date>', 'only versions stored since this date (e.g. 2026-09-01)')
    .action(async (o: { tenant?: string; since?: string }) => {
      const tenant = o.tenant === undefined ? undefined : tenantOf(o.tenant);
      if (o.since !== undefined && Number.isNaN(Date.parse(o.since))) throw new UsageError('--since is a date, e.g. 2026-09-01');
      const since = o.since === undefined ? undefined : new Date(Date.parse(o.since)).toISOString();
      await withApp(host(), async (app) => {
        if (tenant !== undefined) knownTenant(app, tenant);
        const progress = progressReporter('scan');
        const run = await app.useCases.scans.rescan({ tenant, since }, (p) => progress({ done: p.scanned + p.failed, total: null, unit: 'files', note: `${p.quarantined} quarantined` }));
        progress(null);
        if (run.isErr()) throw new Error(`scan stopped: ${describeError(run.error)}`);
        print(JSON.stringify(run.value));
      });
    });

  root
    .command('retention')
    .description('documents whose category keeps them for a while: expire those past their time')
    .command('run')
    .description('expire now what is due (the server also does it daily)')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--dry-run', 'count what would expire, write nothing')
    .action(async (o: { tenant?: string; dryRun?: boolean }) =>
      withApp(host(), async (app) => {
        const run = await app.useCases.applyRetention({ dryRun: o.dryRun === true, tenant: o.tenant });
        if (run.isErr()) throw new Error(describeError(run.error));
        print(JSON.stringify(run.value));
      }),
    );

  const outbox = root.command('outbox').description('mails the server sends: see GET /v1/admin/outbox');
  outbox
    .command('retry')
    .description('put the tenant’s failed mails back in the queue, to be tried afresh')
    .requiredOption('--tenant <tenant>', 'the tenant (required)')
    .action(async (o: { tenant: string }) =>
      withApp(host(), async (app) => {
        const requeued = await app.useCases.requeueFailedMail(o.tenant, 'cli:outbox-retry');
        if (requeued.isErr()) throw new Error(describeError(requeued.error));
        print(JSON.stringify(requeued.value));
      }),
    );

  // Every command refuses instead of exiting, and says its error in one line.
  const quiet = (c: Command) => {
    c.exitOverride().configureOutput({ writeErr: () => undefined, outputError: () => undefined });
    c.commands.forEach(quiet);
  };
  quiet(root);
  return root;
};

/**
 * Checkpoints an auditor kept: the answer of `GET /v1/audit/checkpoints` as saved (its `publicKey`
 * and `checkpoints`), or one checkpoint with a `publicKey` beside it.
 */
const transferKeyIn = (file: string): Buffer => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return transferKeyOf(text);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as ArchiveError).message}`);
  }
};

/** Progress of a move, step by step, on stderr (stdout may be the archive). */
const transferProgress = (label: string) => {
  const reporters = new Map<string, ReturnType<typeof progressReporter>>();
  let current: ReturnType<typeof progressReporter> | undefined;
  const report: Progress & ((p: null) => void) = (p: Parameters<Progress>[0] | null) => {
    if (p === null) return current?.(null);
    let reporter = reporters.get(p.step);
    if (!reporter) {
      current?.(null);
      reporters.set(p.step, (reporter = progressReporter(`${label} ${p.step}`)));
    }
    current = reporter;
    reporter({ done: p.done, total: null, unit: p.step });
  };
  return report;
};

const checkpointsIn = (file: string): TrustedCheckpoint[] => {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const checkpoint = z.object({ tenant: z.string(), seq: z.number().int().positive(), position: z.string(), head: z.string(), at: z.string(), keyId: z.string(), signature: z.string() });
  const saved = z.union([
    z.object({ publicKey: z.string(), checkpoints: z.array(checkpoint).min(1) }),
    checkpoint.extend({ publicKey: z.string() }).transform(({ publicKey, ...c }) => ({ publicKey, checkpoints: [c] })),
  ]);
  const parsed = saved.safeParse(json);
  if (!parsed.success) throw new UsageError(`${file} holds no checkpoint: save the answer of GET /v1/audit/checkpoints`);
  return parsed.data.checkpoints.map((c) => ({ checkpoint: c, publicKeyPem: parsed.data.publicKey }));
};

const isoOf = (value: string, flag: string) => {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new UsageError(`${flag} is a date or time, e.g. 2026-09-01 or 2026-09-01T08:00:00Z`);
  return new Date(time).toISOString();
};

/**
 * A progress bar with rate and ETA on a terminal (stderr), a plain line now and then otherwise,
 * so logs of a scheduled run stay readable. `null` ends it.
 */
const progressReporter = (label: string) => {
  const started = Date.now();
  let lastLine = 0;
  // The last figure not yet written as a line: written when the run ends, so a log shows where it got.
  let unsaid: string | undefined;
  return (p: { done: number; total: number | null; unit: string; note?: string } | null) => {
    const now = Date.now();
    if (p === null) {
      if (process.stderr.isTTY) process.stderr.write('\n');
      else if (unsaid) process.stderr.write(unsaid);
      return;
    }
    const rate = p.done / Math.max((now - started) / 1000, 0.001);
    if (process.stderr.isTTY) {
      const fraction = p.total ? Math.min(p.done / p.total, 1) : 0;
      const bar = p.total ? `[${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '-')}] ${(fraction * 100).toFixed(0).padStart(3)}% ` : '';
      const eta = p.total && rate > 0 ? ` ETA ${Math.round((p.total - p.done) / rate)}s` : '';
      process.stderr.write(`\r${label} ${bar}${p.done}${p.total ? `/${p.total}` : ''} ${p.unit}  ${Math.round(rate)} ${p.unit}/s${eta}${p.note ? `  ${p.note}` : ''}   `);
    } else {
      const line = `${label}: ${p.done}${p.total ? `/${p.total}` : ''} ${p.unit} (${Math.round(rate)} ${p.unit}/s)${p.note ? `, ${p.note}` : ''}\n`;
      unsaid = line;
      if (now - lastLine >= 1000 || (p.total !== null && p.done >= p.total)) {
        lastLine = now;
        unsaid = undefined;
        process.stderr.write(line);
      }
    }
  };
};

export type CliOutcome = { readonly exitCode: number; readonly message?: string };

/**
 * Runs one command. `--help`/`-h` anywhere prints that command's help and does nothing else;
 * usage mistakes exit 2 with one line, failures exit 1 with one sentence; `serve` resolves once
 * listening and keeps the process alive.
 */
export const runCli = async (argv: readonly string[], host: () => CliHost, version = '0.0.0'): Promise<CliOutcome> => {
  try {
    if (argv.length === 0) {
      process.stdout.write(program(host, version).helpInformation());
      return { exitCode: 0 };
    }
    await program(host, version).parseAsync([...argv], { from: 'user' });
    return { exitCode: 0 };
  } catch (e) {
    if (e instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code)) return { exitCode: 0 };
      return { exitCode: 2, message: e.message.replace(/^error: /, '') };
    }
    if (e instanceof UsageError) return { exitCode: 2, message: e.message };
    return { exitCode: 1, message: (e as Error).message };
  }
};
