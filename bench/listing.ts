import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../src/adapters/shared/tokens.js';
import { load } from './load.js';
import { BENCH_SECRET, largeTenant, teacher } from './tenant.js';
import { startProcess } from './upload.js';

const LOAD = { connections: 10, seconds: 5, warmupSeconds: 1 };

/**
 * `GET /v1/locker` (first page) for a teacher with 1,000 documents in a tenant of 100,000, under
 * 10 connections, next to a fastify hello-world at the same logger level, both servers in their
 * own process, measured in the same run.
 */
export const benchListing = async (documents = 100_000) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-list-'));
  const env = { LOCKER_DATA_DIR: dir, LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'warn', LOCKER_JWT_SECRET: BENCH_SECRET };
  try {
    const tenant = await largeTenant(dir, documents);
    const hello = await startProcess(['bench/hello-server.ts'], { LOCKER_LOG_LEVEL: 'warn' });
    const baseline = await load(`${hello.url}/hello`, LOAD);
    hello.child.kill();
    const locker = await startProcess(['dist/main.js', 'serve'], env);
    const token = await signToken(BENCH_SECRET, { tenant: 'bench', userId: teacher(0) });
    const page = await fetch(`${locker.url}/v1/locker`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<{ items: unknown[] }>);
    if (page.items.length === 0) throw new Error('the bench user has an empty locker');
    const product = await load(`${locker.url}/v1/locker`, { ...LOAD, headers: { authorization: `Bearer ${token}` } });
    locker.child.kill();
    return {
      figure: `GET /v1/locker first page (${page.items.length} items), a user with ${documents / 100} documents in a tenant of ${documents}, 10 connections`,
      tenantEvents: tenant.events,
      locker: product,
      fastifyHelloWorld: baseline,
      ratio: Number((product.perSecond / baseline.perSecond).toFixed(3)),
      goal: '>= 0.5, p99 <= 10 ms',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
