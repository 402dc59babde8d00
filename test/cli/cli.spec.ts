import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { listeningUrl } from '../support/listening.js';

const BIN = join(import.meta.dirname, '../../bin/locker.js');
const dataDir = mkdtempSync(join(tmpdir(), 'locker-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const locker = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, LOCKER_DATA_DIR: dataDir, LOCKER_LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const lockerAsync = (args: string[], env: Record<string, string>) =>
  new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, LOCKER_DATA_DIR: dataDir, LOCKER_LOG_LEVEL: 'silent', ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stderr }));
  });

describe.concurrent('configuration', () => {
  it.each([
    [{ LOCKER_PORT: 'abc' }, 'LOCKER_PORT'],
    [{ LOCKER_PORT: '70000' }, 'LOCKER_PORT'],
    [{ LOCKER_EVENT_STORE: 'postgres' }, 'LOCKER_EVENT_STORE'],
    [{ LOCKER_EVENT_STORE: 'eventstoredb' }, 'LOCKER_EVENTSTORE_URL'],
    [{ LOCKER_BLOB_STORE: 's3' }, 'LOCKER_S3_ENDPOINT'],
    [{ LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: '-5' }, 'LOCKER_DEFAULT_MAX_DOCUMENT_BYTES'],
    [{ LOCKER_JWT_SECRET: 'short' }, 'LOCKER_JWT_SECRET'],
    [{ LOCKER_LOG_LEVEL: 'loud' }, 'LOCKER_LOG_LEVEL'],
  ])('%j stops the process with one line naming %s', async (env, name) => {
    // A process each, started together: each spends its second compiling the sources, not waiting.
    const r = await lockerAsync(['serve'], env);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^locker: invalid configuration: ${name}: `));
    expect(r.stderr).not.toContain('short');
  });

  it('with no variables at all, runs on the embedded default at 127.0.0.1:3000 with data in ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      LOCKER_HOST: '127.0.0.1',
      LOCKER_PORT: 3000,
      LOCKER_DATA_DIR: './data',
      LOCKER_EVENT_STORE: 'sqlite',
      LOCKER_BLOB_STORE: 'fs',
      LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: 52428800,
      LOCKER_LOG_LEVEL: 'info',
      LOCKER_SQLITE_SYNCHRONOUS: 'FULL',
    });
  });
});

describe('unreachable stores at start', () => {

  it('an EventStoreDB that accepts TCP and never answers stops the process with one line', async () => {
    const sockets: Socket[] = [];
    const blackHole = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const url = `esdb://127.0.0.1:${(blackHole.address() as { port: number }).port}?tls=false`;
    try {
      // The store's bound, shortened: what is tested is the one line, not the default 5 s.
      const r = await lockerAsync(['serve'], { LOCKER_EVENT_STORE: 'eventstoredb', LOCKER_EVENTSTORE_URL: url, LOCKER_PORT: '0', LOCKER_STORE_TIMEOUT_MS: '1000' });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^locker: cannot reach EventStoreDB at esdb:\/\/127\.0\.0\.1:\d+\?tls=false: /)]);
    } finally {
      sockets.forEach((s) => s.destroy());
      blackHole.close();
    }
  });

  it('an S3 endpoint where nothing listens stops the process with one line', async () => {
    const r = await lockerAsync(['serve'], {
      LOCKER_BLOB_STORE: 's3',
      LOCKER_S3_ENDPOINT: 'http://127.0.0.1:9',
      LOCKER_S3_BUCKET: 'locker',
      LOCKER_S3_ACCESS_KEY: 'k',
      LOCKER_S3_SECRET_KEY: 'secret',
      LOCKER_PORT: '0',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^locker: cannot reach S3 at http:\/\/127\.0\.0\.1:9 \(bucket locker\): /)]);
  });
});

describe('commands', () => {
  it('prints help on every command and does nothing else; a usage error is one line and exit 2', () => {
    expect(locker(['--help']).stdout).toMatch(/Usage: locker \[options\] \[command\][\s\S]*rebuild/);
    // `rebuild --help` prints help: it must not rebuild anything.
    const help = locker(['rebuild', '--help']);
    expect([help.status, help.stdout]).toEqual([0, expect.stringMatching(/^Usage: locker rebuild/)]);
    expect(help.stdout).not.toMatch(/rebuilt/);
    // Every other command's help is checked in process (cli-in-process.spec.ts): cheaper than a process each.
    expect(locker(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const unknown = locker(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const missing = locker(['token', '--tenant', 'school']);
    expect([missing.status, missing.stderr]).toEqual([2, "locker: required option '--user <id>' not specified\n"]);
  });

  it('token prints a signed token with the claims asked for, using the secret generated into the data folder', () => {
    const r = locker(['token', '--tenant', 'school', '--user', 'anne', '--scope', 'directory:write', '--ttl', '600']);
    expect(r.status).toBe(0);
    const claims = decodeJwt(r.stdout.trim());
    expect(claims).toMatchObject({ sub: 'anne', tenant: 'school', scope: 'directory:write' });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(true);
    expect(locker(['token', '--user', 'anne']).status).toBe(2);
    expect(locker(['token', '--tenant', 'Bad Tenant', '--user', 'anne']).status).toBe(2);
  });

  it('directory import loads a file offline; a broken one is refused with the reason', () => {
    const r = locker(['directory', 'import', join(import.meta.dirname, '../../examples/directory.json'), '--tenant', 'school']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ users: 6, classes: 2 });
    const missing = locker(['directory', 'import', '/nonexistent.json', '--tenant', 'school']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });

  it('rebuild replays the log into the read models', () => {
    const r = locker(['rebuild']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/read models rebuilt up to position \d+/);
  });

  it('serve listens on the port asked for (0 = any) and prints where', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { PATH: process.env.PATH, LOCKER_DATA_DIR: dataDir, LOCKER_LOG_LEVEL: 'silent', LOCKER_PORT: '0' },
    });
    try {
      const url = await listeningUrl(child, 'locker serve');
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
