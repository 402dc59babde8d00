import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { signToken } from '../src/adapters/shared/tokens.js';
import { load } from './load.js';
import { BENCH_SECRET, largeTenant, teacher } from './tenant.js';
import { startProcess } from './upload.js';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';

/**
 * `locker rebuild` of the tenant (compiled CLI, its own process, with the Node flags `locker` runs
 * with), next to a raw scan + JSON.parse of
 * the same rows: the floor of reading the log.
 */
const rebuildOf = (dir: string, env: Record<string, string>) => {
  const db = new Database(join(dir, 'events.sqlite'), { readonly: true });
  let events = 0;
  const started = performance.now();
  for (const row of db.prepare<[], { data: string; meta: string }>('SELECT data, meta FROM events ORDER BY position').iterate()) {
    JSON.parse(row.data);
    JSON.parse(row.meta);
    events += 1;
  }
  const rawPerSecond = events / ((performance.now() - started) / 1000);
  db.close();
  const run = spawnSync(process.execPath, ['dist/main.js', 'rebuild'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(/in (\d+) ms/.exec(run.stdout + run.stderr)?.[1]);
  if (!Number.isFinite(ms)) throw new Error(`rebuild failed: ${run.stdout}${run.stderr}`);
  const perSecond = events / (ms / 1000);
  const floor = rawInsertsOf(join(dir, 'read-models.sqlite'));
  // Reading the log and writing its rows, each at its raw speed, one after the other: the most a
  // rebuild on one thread could do on this machine with these tables.
  const floorPerSecond = events / ((events / rawPerSecond + floor.ms / 1000) || 1);
  return {
    events,
    rebuildEventsPerSecond: Math.round(perSecond),
    rawScanJsonParseEventsPerSecond: Math.round(rawPerSecond),
    ratio: Number((perSecond / rawPerSecond).toFixed(3)),
    rawInsertsOfTheRebuiltRows: floor,
    rawScanThenRawInsertsEventsPerSecond: Math.round(floorPerSecond),
    ratioToRawScanThenRawInserts: Number((perSecond / floorPerSecond).toFixed(3)),
    goal: '>= 50,000 events/s',
  };
};

/**
 * A real rollover of the tenant's documents into the next year (compiled CLI, its own process),
 * next to the dry run of the same just before it: what deciding costs against deciding and writing
 * (a new stream per document, sealed, fsynced, then projected).
 */
const rolloverOf = (env: Record<string, string>, documents: number) => {
  const run = (dryRun: boolean) => {
    const started = performance.now();
    const out = spawnSync(process.execPath, ['dist/main.js', 'rollover', '--tenant', 'bench', '--from', '2026-2027', '--to', '2027-2028', ...(dryRun ? ['--dry-run'] : [])], { env: { ...process.env, ...env }, encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    const carried = (JSON.parse(out.stdout) as { carried: number }).carried;
    if (out.status !== 0 || carried !== documents) throw new Error(`rollover failed: ${out.stdout}${out.stderr}`);
    return seconds;
  };
  const dry = run(true);
  const real = run(false);
  return {
    documents,
    realRunSeconds: Number(real.toFixed(2)),
    realRunDocumentsPerSecond: Math.round(documents / real),
    dryRunSeconds: Number(dry.toFixed(2)),
    ratio: Number((dry / real).toFixed(3)),
    goal: 'none set (ADR 31: 92 s before appendMany at 100,000 documents)',
  };
};

/**
 * The floor of writing what a rebuild writes: every row the rebuild left, read back and inserted
 * with plain prepared statements into empty tables of the same schema, in primary-key order (the
 * cheapest order for SQLite's B-trees, which a replay in log order cannot have), 5,000 rows a
 * transaction, WAL with synchronous=NORMAL, then every index built at the end (the rebuild keeps
 * those its statements read up to date as it goes) and
 * one truncating checkpoint, as the rebuild does.
 */
const rawInsertsOf = (readModels: string) => {
  const source = new Database(readModels, { readonly: true });
  const target = join(mkdtempSync(join(tmpdir(), 'locker-bench-floor-')), 'floor.sqlite');
  const db = new Database(target);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -65536');
    db.pragma('wal_autocheckpoint = 0');
    const indexes = source.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL").all();
    const tables = source.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
    for (const t of tables) db.exec(t.sql);
    let rows = 0;
    let ms = 0;
    for (const t of tables) {
      const columns = source.pragma(`table_info(${t.name})`) as { name: string; pk: number }[];
      const key = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      const all = source.prepare(`SELECT * FROM ${t.name}${key.length > 0 ? ` ORDER BY ${key.join(', ')}` : ''}`).raw().all() as unknown[][];
      const insert = db.prepare(`INSERT INTO ${t.name} VALUES (${columns.map(() => '?').join(', ')})`);
      const chunk = db.transaction((slice: unknown[][]) => {
        for (const row of slice) insert.run(row);
      });
      const started = performance.now();
      for (let i = 0; i < all.length; i += 5000) chunk(all.slice(i, i + 5000));
      ms += performance.now() - started;
      rows += all.length;
    }
    const started = performance.now();
    for (const i of indexes) db.exec(i.sql);
    db.pragma('wal_checkpoint(TRUNCATE)');
    ms += performance.now() - started;
    return { rows, ms: Math.round(ms) };
  } finally {
    db.close();
    source.close();
    rmSync(dirname(target), { recursive: true, force: true });
  }
};

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
    const baseline = await load(`${hello.url}/hello`, { ...LOAD, serverPid: hello.child.pid! });
    hello.child.kill();
    const locker = await startProcess(['dist/main.js', 'serve'], env);
    const token = await signToken(BENCH_SECRET, { tenant: 'bench', userId: teacher(0) });
    const page = await fetch(`${locker.url}/v1/locker`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<{ items: unknown[] }>);
    if (page.items.length === 0) throw new Error('the bench user has an empty locker');
    const product = await load(`${locker.url}/v1/locker`, { ...LOAD, headers: { authorization: `Bearer ${token}` }, serverPid: locker.child.pid! });
    // The same load while the school writes: a memo changed 20 times a second somewhere in the
    // tenant, each change making every cached page of the tenant stale.
    const anne = await signToken(BENCH_SECRET, { tenant: 'bench', userId: 'anne' });
    const mine = (await fetch(`${locker.url}/v1/distribution?limit=100`, { headers: { authorization: `Bearer ${anne}` } }).then((r) => r.json())) as { items: { id: string }[] };
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        const started = performance.now();
        const id = mine.items[writes % mine.items.length]!.id;
        const r = await fetch(`${locker.url}/v1/documents/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${anne}`, 'content-type': 'application/json' }, body: JSON.stringify({ memo: `memo ${writes}` }) });
        if (r.status !== 200) throw new Error(`memo change refused: ${r.status}`);
        writes += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 50 - (performance.now() - started))));
      }
    })();
    const whileWriting = await load(`${locker.url}/v1/locker`, { ...LOAD, headers: { authorization: `Bearer ${token}` } });
    writing = false;
    await writer;
    locker.child.kill();
    await new Promise((resolve) => locker.child.once('exit', resolve));
    const rebuild = rebuildOf(dir, env);
    const rollover = rolloverOf(env, documents);
    return {
      figure: `GET /v1/locker first page (${page.items.length} items), a user with ${documents / 100} documents in a tenant of ${documents}, 10 connections`,
      tenantEvents: tenant.events,
      locker: product,
      fastifyHelloWorld: baseline,
      ratio: Number((product.perSecond / baseline.perSecond).toFixed(3)),
      // The same in the servers' CPU time per request (the baseline's over the product's).
      cpuRatio: Number((baseline.serverCpuMsPerRequest! / product.serverCpuMsPerRequest!).toFixed(3)),
      goal: '>= 0.5, p99 <= 10 ms',
      rebuild,
      rollover,
      whileTheTenantWrites: { memoChangesPerSecond: Number((writes / (LOAD.seconds + (LOAD.warmupSeconds ?? 0))).toFixed(1)), ...whileWriting, ratio: Number((whileWriting.perSecond / baseline.perSecond).toFixed(3)) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
