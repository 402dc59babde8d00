#!/usr/bin/env node
// `npx locker`: the compiled CLI (dist/) when it is at least as new as the sources, which starts in
// a fraction of a second; otherwise the TypeScript sources through tsx, so a fresh clone works
// before any build. `npm run build` (or `npm start`) refreshes dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import '../scripts/node-version.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Every command runs on V8's default young generation, which a rebuild or a rollover needs (ADR 47):
// the server's 1 MiB one (ADR 28) is given where the server is started (npm start, the image).
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
