// Smoke test of what ships: the compiled server and CLI (dist/), not the TypeScript sources.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'locker-smoke-'));
const env = { ...process.env, LOCKER_DATA_DIR: dataDir, LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'warn' };
const locker = (...args) => execFileSync(process.execPath, ['dist/main.js', ...args], { env, encoding: 'utf8' }).trim();
const server = spawn(process.execPath, ['dist/main.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const fail = (message) => {
  server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  console.error(`smoke: ${message}`);
  process.exit(1);
};
const url = await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => fail(`the compiled server exited with ${code}`));
  setTimeout(() => fail('the compiled server did not listen within 20 s'), 20_000).unref();
});
for (const path of ['/health', '/ready', '/openapi.json']) {
  const res = await fetch(`${url}${path}`);
  if (!res.ok) fail(`${path} answered ${res.status}`);
}
locker('directory', 'import', 'examples/directory.json', '--tenant', 'demo');
const token = locker('token', '--tenant', 'demo', '--user', 'u-anne');
const locker200 = await fetch(`${url}/v1/locker`, { headers: { authorization: `Bearer ${token}` } });
if (locker200.status !== 200) fail(`GET /v1/locker answered ${locker200.status}`);
const verify = JSON.parse(locker('audit', 'verify'));
if (verify.broken !== null) fail(`audit verify: ${JSON.stringify(verify.broken)}`);
server.removeAllListeners('exit');
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });
console.log(`smoke: compiled server and CLI answered (${url})`);
