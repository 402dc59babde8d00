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
  const timer = setTimeout(() => fail('the compiled server did not listen within 20 s'), 20_000);
  server.once('exit', () => clearTimeout(timer));
  server.stdout.on('data', () => /listening on/.test(out) && clearTimeout(timer));
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

// Stopped through npm, the server stops with it: nothing is left listening (issue 32).
const throughNpm = async (command, args, signal) => {
  const child = spawn(command, args, { env: { ...env, LOCKER_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const listening = await new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => fail(`${command} ${args.join(' ')} exited with ${code} before listening`));
    const timer = setTimeout(() => fail(`${command} ${args.join(' ')} did not listen within 120 s`), 120_000);
    child.stdout.on('data', () => /listening on/.test(out) && clearTimeout(timer));
  });
  child.removeAllListeners('exit');
  for (let i = 0; i < 100 && !(await fetch(`${listening}/ready`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
  // The server's last line says it stopped, and its port no longer answers.
  await new Promise((r) => setTimeout(r, 500));
  if (!/"msg":"stopped/.test(out)) fail(`${command} ${args.join(' ')}: no last line saying it stopped after ${signal}:\n${out.slice(-500)}`);
  const still = await fetch(`${listening}/health`).then(() => true, () => false);
  if (still) fail(`${command} ${args.join(' ')}: the server still answers after ${signal} (orphaned)`);
};
await throughNpm('npm', ['start', '--silent'], 'SIGTERM');
await throughNpm('npx', ['--no-install', 'locker', 'serve'], 'SIGINT');
rmSync(dataDir, { recursive: true, force: true });
console.log(`smoke: compiled server and CLI answered (${url}); npm start and npx locker serve stop on SIGTERM and SIGINT`);
