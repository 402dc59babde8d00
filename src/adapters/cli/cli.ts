import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
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
import { signToken } from '../shared/tokens.js';
import { verifyChains, type TrustedCheckpoint } from '../shared/verify-chains.js';

/** What the CLI needs of the composed application; the composition root (src/main.ts) provides it. */
export type CliApp = {
  readonly useCases: UseCases;
  /** The log itself, for verify and export, which read it as stored. */
  readonly events: EventStore;
  /** The notary's record and the key its checkpoints are signed with, for verify. */
  readonly notary: NotaryLedger;
  readonly publicKeyPem: string;
  readonly jwtSecret: string;
  close(): Promise<void>;
};

export type CliHost = {
  /** Composes the application over the configured stores; the command closes it. */
  open(): Promise<CliApp>;
  /** Starts the HTTP service; resolves once it listens. */
  serve(): Promise<{ url: string; stop(): Promise<void> }>;
  readonly dataDir: string;
  readonly tokenClaims: { readonly issuer?: string | undefined; readonly audience?: string | undefined };
};

const USAGE = `locker <command>

  serve                                   run the HTTP service (what npm start runs)
  token --tenant T --user U [--scope S] [--ttl SECONDS]
                                          print a token signed with the configured secret
  directory import FILE --tenant T        load a directory (JSON, as PUT /v1/directory) offline
  rebuild                                 rebuild the read models from the event log
  rollover --tenant T --from YEAR --to YEAR [--dry-run] [--categories a,b]
                                          carry year N's live documents into year N+1
  audit verify [--tenant T] [--checkpoint FILE]
                                          recompute every chain, hold it to signed checkpoints; exit 1 names the first broken event
  audit export --tenant T [--from ISO] [--to ISO]
                                          the history as JSON lines on stdout
  sweep [--grace-minutes N]               delete blobs no live document refers to

Configuration comes from LOCKER_* environment variables (see README).`;

class UsageError extends Error {}


const tenantOf = (value: string | undefined) => {
  if (!value) throw new UsageError('--tenant is required');
  if (!TENANT_PATTERN.test(value)) throw new UsageError('--tenant must be lower-case letters, digits and dashes');
  return value;
};

const commands: Record<string, (host: CliHost, args: string[]) => Promise<void>> = {
  async serve(host) {
    const running = await host.serve();
    process.stdout.write(
      [
        `digital-locker listening on ${running.url} (data in ${host.dataDir})`,
        `  API documentation: ${running.url}/docs (OpenAPI: ${running.url}/openapi.json)`,
        `  a token to try it: npx locker token --tenant <tenant> --user <user id>  (load a directory first: npx locker directory import FILE --tenant <tenant>)`,
        `  metrics: ${running.url}/metrics, health: ${running.url}/health, readiness: ${running.url}/ready`,
        '',
      ].join('\n'),
    );
    const stop = async () => {
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },

  async token(host, args) {
    const { values } = parseArgs({ args, options: { tenant: { type: 'string' }, user: { type: 'string' }, scope: { type: 'string' }, ttl: { type: 'string' } } });
    const tenant = tenantOf(values.tenant);
    if (!values.user) throw new UsageError('--user is required');
    const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
    if (!Number.isInteger(ttl) || ttl <= 0) throw new UsageError('--ttl is a positive number of seconds');
    const app = await host.open();
    try {
      const token = await signToken(app.jwtSecret, {
        tenant,
        userId: values.user,
        scope: values.scope,
        ttlSeconds: ttl,
        issuer: host.tokenClaims.issuer,
        audience: host.tokenClaims.audience,
      });
      process.stdout.write(`${token}\n`);
    } finally {
      await app.close();
    }
  },

  async directory(host, args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { tenant: { type: 'string' } } });
    if (positionals[0] !== 'import' || !positionals[1]) throw new UsageError('usage: locker directory import FILE --tenant T');
    const tenant = tenantOf(values.tenant);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(positionals[1], 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read ${positionals[1]}: ${(e as Error).message}`);
    }
    const parsed = directorySchema.safeParse(json);
    if (!parsed.success) throw new UsageError(`${positionals[1]} is not a directory: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
    const app = await host.open();
    try {
      const result = await app.useCases.syncDirectory({ tenant, userId: 'cli:directory-import', scopes: ['directory:write'] }, parsed.data);
      if (result.isErr()) throw new UsageError(`directory refused: ${describeError(result.error)}`);
      process.stdout.write(`${JSON.stringify(result.value)}\n`);
    } finally {
      await app.close();
    }
  },

  async rebuild(host) {
    const app = await host.open();
    try {
      const started = Date.now();
      const result = await app.useCases.rebuild();
      if (result.isErr()) throw new Error(`rebuild failed: ${describeError(result.error)}`);
      process.stdout.write(`read models rebuilt up to position ${result.value} in ${Date.now() - started} ms\n`);
    } finally {
      await app.close();
    }
  },

  async rollover(host, args) {
    const { values } = parseArgs({
      args,
      options: { tenant: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, categories: { type: 'string' } },
    });
    const tenant = tenantOf(values.tenant);
    if (!values.from || !values.to) throw new UsageError('--from and --to are required, e.g. --from 2025-2026 --to 2026-2027');
    const app = await host.open();
    try {
      const progress = progressReporter(`rollover ${values.from} → ${values.to}${values['dry-run'] ? ' (dry run)' : ''}`);
      const result = await app.useCases.rollover(
        { tenant, userId: 'cli:rollover', scopes: [SYSTEM_SCOPE] },
        { from: values.from, to: values.to, dryRun: values['dry-run'], categories: values.categories?.split(',').map((c) => c.trim()).filter(Boolean) },
        // The first pass finds year N's documents; the total is known from then on, and right.
        (p) => progress({ done: p.documentsExamined, total: p.documentsTotal, unit: 'documents', note: `${p.eventsReplayed} events replayed` }),
      );
      progress(null);
      if (result.isErr()) throw new UsageError(`rollover refused: ${describeError(result.error)}`);
      process.stdout.write(`${JSON.stringify(result.value, null, 2)}\n`);
    } finally {
      await app.close();
    }
  },

  async audit(host, args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { tenant: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, checkpoint: { type: 'string' } },
    });
    // An auditor's checkpoint file is read before anything opens: a wrong file is a usage error.
    const external = values.checkpoint === undefined ? undefined : checkpointsIn(values.checkpoint);
    const app = await host.open();
    try {
      if (positionals[0] === 'verify') {
        const tenant = values.tenant === undefined ? undefined : tenantOf(values.tenant);
        const progress = progressReporter('audit verify');
        // Held to the auditor's checkpoints when given, else to the latest the notary signed.
        const checkpoints =
          external ??
          app.notary.heads().flatMap((h) => {
            const last = app.notary.lastCheckpoint(h.tenant);
            return last ? [{ checkpoint: last, publicKeyPem: app.publicKeyPem }] : [];
          });
        const verified = await verifyChains(app.events, { tenant, notary: app.notary, checkpoints, onProgress: (n) => progress({ done: n, total: null, unit: 'events' }) });
        progress(null);
        if (verified.isErr()) throw new Error(describeError(verified.error));
        const report = verified.value;
        if (report.broken) {
          const b = report.broken;
          process.stdout.write(`${JSON.stringify(report)}\n`);
          throw new Error(`broken chain at event ${b.id} (position ${b.position}, stream ${b.stream}, revision ${b.revision}, ${b.type}): ${b.reason}`);
        }
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      if (positionals[0] === 'export') {
        const tenant = tenantOf(values.tenant);
        const from = values.from === undefined ? undefined : isoOf(values.from, '--from');
        const to = values.to === undefined ? undefined : isoOf(values.to, '--to');
        const exported = await scanLog(app.events, { tenant }, async (event) => {
          if ((from && event.meta.at < from) || (to && event.meta.at > to)) return;
          if (!process.stdout.write(`${JSON.stringify(presentEvent(event))}\n`)) await new Promise((r) => process.stdout.once('drain', r));
        });
        if (exported.isErr()) throw new Error(describeError(exported.error));
        return;
      }
      throw new UsageError('usage: locker audit verify [--tenant T] [--checkpoint FILE] | locker audit export --tenant T [--from ISO] [--to ISO]');
    } finally {
      await app.close();
    }
  },

  async sweep(host, args) {
    const { values } = parseArgs({ args, options: { 'grace-minutes': { type: 'string', default: '60' } } });
    const minutes = Number(values['grace-minutes']);
    if (!Number.isFinite(minutes) || minutes < 0) throw new UsageError('--grace-minutes is a number of minutes');
    const app = await host.open();
    try {
      const swept = await app.useCases.sweepBlobs(minutes * 60_000);
      if (swept.isErr()) throw new Error(describeError(swept.error));
      const report = swept.value;
      process.stdout.write(`${JSON.stringify({ examined: report.examined, deleted: report.deleted.length, stagingRemoved: report.stagingRemoved })}\n`);
    } finally {
      await app.close();
    }
  },
};

/**
 * Checkpoints an auditor kept: the answer of `GET /v1/audit/checkpoints` as saved (its `publicKey`
 * and `checkpoints`), or one checkpoint with a `publicKey` beside it.
 */
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
  return (p: { done: number; total: number | null; unit: string; note?: string } | null) => {
    const now = Date.now();
    if (p === null) {
      if (process.stderr.isTTY) process.stderr.write('\n');
      return;
    }
    const rate = p.done / Math.max((now - started) / 1000, 0.001);
    if (process.stderr.isTTY) {
      const fraction = p.total ? Math.min(p.done / p.total, 1) : 0;
      const bar = p.total ? `[${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '-')}] ${(fraction * 100).toFixed(0).padStart(3)}% ` : '';
      const eta = p.total && rate > 0 ? ` ETA ${Math.round((p.total - p.done) / rate)}s` : '';
      process.stderr.write(`\r${label} ${bar}${p.done}${p.total ? `/${p.total}` : ''} ${p.unit}  ${Math.round(rate)} ${p.unit}/s${eta}${p.note ? `  ${p.note}` : ''}   `);
    } else if (now - lastLine >= 1000 || (p.total !== null && p.done >= p.total)) {
      lastLine = now;
      process.stderr.write(`${label}: ${p.done}${p.total ? `/${p.total}` : ''} ${p.unit} (${Math.round(rate)} ${p.unit}/s)${p.note ? `, ${p.note}` : ''}\n`);
    }
  };
};

export type CliOutcome = { readonly exitCode: number; readonly message?: string };

/**
 * Runs one command. Usage mistakes exit 2 with one line, failures exit 1 with one sentence;
 * `serve` resolves once listening and keeps the process alive.
 */
export const runCli = async (argv: readonly string[], host: () => CliHost): Promise<CliOutcome> => {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return { exitCode: 0 };
  }
  const command = commands[name];
  if (!command) return { exitCode: 2, message: `unknown command ${name}\n\n${USAGE}` };
  try {
    await command(host(), args);
    return { exitCode: 0 };
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return { exitCode: 2, message: (e as Error).message };
    return { exitCode: 1, message: (e as Error).message };
  }
};
