import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { listeningUrl } from '../test/support/listening.js';
import { signToken } from '../src/adapters/shared/tokens.js';
import { SERVER_NODE_FLAGS } from '../src/adapters/system/server-runtime.js';

export const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin/locker.js');
export const SECRET = 'reliability-secret-long-enough-for-hs256!';

export const baseEnv = (dataDir: string) => ({
  PATH: process.env.PATH,
  LOCKER_DATA_DIR: dataDir,
  LOCKER_PORT: '0',
  LOCKER_LOG_LEVEL: 'silent',
  LOCKER_JWT_SECRET: SECRET,
  // The default: an acknowledged command survives a crash. That is what these runs check.
  LOCKER_SQLITE_SYNCHRONOUS: 'FULL',
  LOCKER_SHUTDOWN_GRACE_MS: '200',
});

/** The real server in a child process, as production runs it. */
export const startServer = async (dataDir: string, env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> => {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, BIN, 'serve'], { env: { ...baseEnv(dataDir), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return { url: await listeningUrl(child, 'locker serve'), child };
};

export const cli = (dataDir: string, args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env: baseEnv(dataDir), encoding: 'utf8' });

export const token = (tenant: string, user: string, scope?: string) => signToken(SECRET, { tenant, userId: user, scope, ttlSeconds: 3600 });

export const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
