import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli, type CliHost } from './adapters/cli/cli.js';
import { loadConfig, type Config } from './adapters/config/config.js';
import { compose } from './composition/compose.js';
import { startServer } from './composition/serve.js';
import { VERSION } from './composition/version.js';

// The program: `locker <command>`, and `npm start`, which is `locker serve`. The graph is built in
// composition/compose.ts, the server and its periodic jobs in composition/serve.ts and jobs.ts.

/** The CLI's view of the composition root: it receives the composed app, never builds one itself. */
export const cliHost = (config: Config): CliHost => ({
  open: async () => {
    const app = await compose(config);
    return {
      useCases: app.useCases,
      events: app.deps.events,
      impersonalEvents: app.deps.impersonalEvents,
      notary: app.deps.notary,
      publicKeyPem: app.deps.signer.publicKeyPem,
      transfer: { events: app.deps.impersonalEvents, keys: app.keyStore, blobs: app.deps.blobs, notary: app.deps.notary, publicKeyPem: app.deps.signer.publicKeyPem },
      jwtSecret: app.jwtSecret,
      nodeId: app.nodeId,
      tenants: () => app.deps.readModels.tenants(),
      close: app.close,
    };
  },
  serve: () => startServer(config),
  dataDir: config.LOCKER_DATA_DIR,
  shutdownGraceMs: config.LOCKER_SHUTDOWN_GRACE_MS,
  tokenClaims: { issuer: config.LOCKER_JWT_ISSUER, audience: config.LOCKER_JWT_AUDIENCE },
  publicUrl: config.LOCKER_PUBLIC_URL ?? `http://${config.LOCKER_HOST}:${config.LOCKER_PORT}`,
});

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
