import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { signToken } from '../http/auth.js';
import { directorySchema } from '../http/schemas.js';
import { TENANT_PATTERN } from '../../application/streams.js';
import { compose, startServer } from '../../main.js';

const USAGE = `locker <command>

  serve                                   run the HTTP service (what npm start runs)
  token --tenant T --user U [--scope S] [--ttl SECONDS]
                                          print a token signed with the configured secret
  directory import FILE --tenant T        load a directory (JSON, as PUT /v1/directory) offline
  rebuild                                 rebuild the read models from the event log
  sweep [--grace-minutes N]               delete blobs no live document refers to

Configuration comes from LOCKER_* environment variables (see README).`;

class UsageError extends Error {}

const fail = (message: string, code = 1): never => {
  process.stderr.write(`locker: ${message}\n`);
  process.exit(code);
};

const tenantOf = (value: string | undefined) => {
  if (!value) throw new UsageError('--tenant is required');
  if (!TENANT_PATTERN.test(value)) throw new UsageError('--tenant must be lower-case letters, digits and dashes');
  return value;
};

const commands: Record<string, (config: Config, args: string[]) => Promise<void>> = {
  async serve(config) {
    const running = await startServer(config);
    process.stdout.write(`digital-locker listening on ${running.url} (data in ${config.LOCKER_DATA_DIR})\n`);
    const stop = async () => {
      await running.stop();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },

  async token(config, args) {
    const { values } = parseArgs({ args, options: { tenant: { type: 'string' }, user: { type: 'string' }, scope: { type: 'string' }, ttl: { type: 'string' } } });
    const tenant = tenantOf(values.tenant);
    if (!values.user) throw new UsageError('--user is required');
    const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
    if (!Number.isInteger(ttl) || ttl <= 0) throw new UsageError('--ttl is a positive number of seconds');
    const app = compose(config);
    try {
      const token = await signToken(app.jwtSecret, {
        tenant,
        userId: values.user,
        scope: values.scope,
        ttlSeconds: ttl,
        issuer: config.LOCKER_JWT_ISSUER,
        audience: config.LOCKER_JWT_AUDIENCE,
      });
      process.stdout.write(`${token}\n`);
    } finally {
      await app.close();
    }
  },

  async directory(config, args) {
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
    const app = compose(config);
    try {
      const result = await app.useCases.syncDirectory({ tenant, userId: 'cli:directory-import', scopes: ['directory:write'] }, parsed.data);
      if (result.isErr()) throw new UsageError(`directory refused: ${JSON.stringify(result.error)}`);
      process.stdout.write(`${JSON.stringify(result.value)}\n`);
    } finally {
      await app.close();
    }
  },

  async rebuild(config) {
    const app = compose(config);
    try {
      const started = Date.now();
      const result = await app.deps.projector.rebuild();
      if (result.isErr()) throw new Error(`rebuild failed: ${JSON.stringify(result.error)}`);
      process.stdout.write(`read models rebuilt up to position ${result.value} in ${Date.now() - started} ms\n`);
    } finally {
      await app.close();
    }
  },

  async sweep(config, args) {
    const { values } = parseArgs({ args, options: { 'grace-minutes': { type: 'string', default: '60' } } });
    const minutes = Number(values['grace-minutes']);
    if (!Number.isFinite(minutes) || minutes < 0) throw new UsageError('--grace-minutes is a number of minutes');
    const app = compose(config);
    try {
      const report = await app.useCases.sweepBlobs(minutes * 60_000);
      process.stdout.write(`${JSON.stringify({ examined: report.examined, deleted: report.deleted.length })}\n`);
    } finally {
      await app.close();
    }
  },
};

const main = async () => {
  const [name, ...args] = process.argv.slice(2);
  if (!name || name === 'help' || name === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = commands[name];
  if (!command) fail(`unknown command ${name}\n\n${USAGE}`, 2);
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  try {
    await command!(config!, args);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') fail((e as Error).message, 2);
    fail((e as Error).message);
  }
};

await main();
