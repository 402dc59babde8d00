import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../src/adapters/shared/tokens.js';
import { load } from './load.js';
import { BENCH_SECRET, largeTenant, teacher } from './tenant.js';
import { startProcess } from './upload.js';

const LOAD = { connections: 10, seconds: 5, warmupSeconds: 1 };

/** Rows in each read-model table, read from the file once the server has stopped. */
const readModelRows = (dataDir: string): Record<string, number> => {
  const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    return Object.fromEntries(tables.map((t) => [t.name, (db.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
};

export const multipart = (meta: string | undefined, file: Buffer) => {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    Buffer.from(
      (meta === undefined ? '' : `--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\n\r\n${meta}\r\n`) +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="minutes.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload };
};

/**
 * Small deposits (10 KB, 10 recipients) under 10 connections, next to a bare fastify +
 * @fastify/multipart handler writing the same file to disk with fsync, each server in its own
 * process, in the same run. Beside them, the floor: the work a deposit cannot do without (the
 * token, the directory, the file, a sealed and chained event committed durably, its rows in the
 * read models), written raw in one handler (`floor-deposit-server.ts`).
 */
export const benchSmallDeposit = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-small-'));
  const env = { LOCKER_DATA_DIR: join(dir, 'data'), LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'warn', LOCKER_JWT_SECRET: BENCH_SECRET };
  try {
    await largeTenant(env.LOCKER_DATA_DIR, 0);
    const file = randomBytes(10 * 1024);
    const bare = await startProcess(['bench/bare-upload-server.ts', dir, 'fsync'], {});
    const baseline = await load(`${bare.url}/upload`, { ...LOAD, method: 'POST', body: () => multipart(undefined, file), serverPid: bare.child.pid! });
    bare.child.kill();
    const token = await signToken(BENCH_SECRET, { tenant: 'bench', userId: 'anne' });
    const metaFor = (categoryId: string) => JSON.stringify({ title: 'Minutes', categoryId, recipients: { users: Array.from({ length: 10 }, (_, i) => teacher(i)) } });
    const floorServer = await startProcess(['bench/floor-deposit-server.ts', join(dir, 'floor')], {});
    // A category id of the product's length: the floor looks categories up nowhere.
    const floor = await load(`${floorServer.url}/v1/documents`, { ...LOAD, method: 'POST', headers: { authorization: `Bearer ${token}` }, body: () => multipart(metaFor(randomUUID()), file), serverPid: floorServer.child.pid! });
    floorServer.child.kill();

    const locker = await startProcess(['dist/main.js', 'serve'], env);
    const admin = await signToken(BENCH_SECRET, { tenant: 'bench', userId: 'admin' });
    const categories = (await fetch(`${locker.url}/v1/categories`, { headers: { authorization: `Bearer ${admin}` } }).then((r) => r.json())) as { items: { id: string }[] };
    const meta = metaFor(categories.items[0]!.id);
    const probe = multipart(meta, file);
    const first = await fetch(`${locker.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...probe.headers }, body: probe.payload });
    if (first.status !== 201) throw new Error(`deposit refused: ${first.status} ${await first.text()}`);
    const rowsBefore = readModelRows(env.LOCKER_DATA_DIR);
    const product = await load(`${locker.url}/v1/documents`, { ...LOAD, method: 'POST', headers: { authorization: `Bearer ${token}` }, body: () => multipart(meta, file), serverPid: locker.child.pid! });
    locker.child.kill();
    await new Promise((resolve) => locker.child.once('exit', resolve));
    const rowsAfter = readModelRows(env.LOCKER_DATA_DIR);
    // Every deposit of the load, the warm-up's included (the load counts the measured window only).
    const deposits = rowsAfter.documents! - rowsBefore.documents!;
    const rowsPerDeposit: Record<string, number> = Object.fromEntries(Object.entries(rowsAfter).map(([t, n]) => [t, Number(((n - (rowsBefore[t] ?? 0)) / deposits).toFixed(2))]).filter(([, n]) => n !== 0));
    return {
      figure: 'POST /v1/documents, 10 KB, 10 recipients, 10 connections',
      locker: product,
      bareFastifyMultipartWithFsync: baseline,
      floorOfTheWorkRaw: floor,
      ratio: Number((product.perSecond / baseline.perSecond).toFixed(3)),
      // The same comparison in the servers' own CPU time per request (the baseline's over the
      // product's): steadier than throughput on a machine whose speed drifts within a run.
      cpuRatio: Number((baseline.serverCpuMsPerRequest! / product.serverCpuMsPerRequest!).toFixed(3)),
      floorRatio: Number((floor.perSecond / baseline.perSecond).toFixed(3)),
      floorCpuRatio: Number((baseline.serverCpuMsPerRequest! / floor.serverCpuMsPerRequest!).toFixed(3)),
      ratioToFloor: Number((product.perSecond / floor.perSecond).toFixed(3)),
      // Rows the read models gained per deposit to 10 recipients, mail off, no webhooks (issue 35:
      // at most N + 3 = 13); rows updated in place are not counted.
      readModelRowsPerDeposit: { total: Number(Object.values(rowsPerDeposit).reduce((a, b) => a + b, 0).toFixed(2)), byTable: rowsPerDeposit },
      goal: '>= 0.5',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
