#!/usr/bin/env -S node --max-semi-space-size=1
// `npx locker`: the compiled CLI (dist/) when it is at least as new as the sources, which starts in
// a fraction of a second; otherwise the TypeScript sources through tsx, so a fresh clone works
// before any build. `npm run build` (or `npm start`) refreshes dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import '../scripts/node-version.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The first line gives every command the server's 1 MiB young generation (ADR 28). A batch
// command (a whole history replayed, then exit) runs faster on V8's default: it runs again in a
// child without the flag, and this process only waits for it and passes signals on (ADR 36).
// Kept in step with BATCH_COMMANDS (src/adapters/system/server-runtime.ts) by a test.
const BATCH_COMMANDS = ['rebuild', 'rollover'];
if (BATCH_COMMANDS.includes(process.argv[2]) && process.execArgv.includes('--max-semi-space-size=1')) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, () => child.kill(signal));
  const [code, signal] = await new Promise((resolve) => child.once('exit', (...outcome) => resolve(outcome)));
  for (const s of signals) process.removeAllListeners(s);
  // Ended by a signal: so is this process, so whoever started it sees the same.
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'main.js');

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);

const fresh = existsSync(compiled) && statSync(compiled).mtimeMs >= newest(join(root, 'src'));
if (!fresh) (await import('tsx/esm/api')).register();
const { main } = await import(fresh ? compiled : join(root, 'src', 'main.ts'));
await main(process.argv.slice(2), process.env);
