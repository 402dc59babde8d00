import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '../src/adapters/shared/tokens.js';
import { load } from './load.js';
import { multipart } from './small-deposit.js';
import { BENCH_SECRET, largeTenant, teacher } from './tenant.js';
import { peakRssMiB, startProcess } from './upload.js';

const LOAD = { connections: 10, seconds: 10, warmupSeconds: 2 };
const READERS = 300;
const DEPOSITS_PER_SECOND = 20;

/**
 * The listing as a school feels it (issue 35, item 3): `GET /v1/locker` by 300 different staff in
 * turn (their pages cached or not) at a tenant of `documents`, while the school takes 20 deposits
 * a second (small files, each to one of them). Beside a fastify server that verifies the same
 * tokens and sends a page of the same size, in the same run. CPU time per request for both, and
 * the product's peak RSS.
 */
export const benchListingMix = async (documents = 100_000) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-mix-'));
  const env = { LOCKER_DATA_DIR: dir, LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'warn', LOCKER_JWT_SECRET: BENCH_SECRET };
  try {
    await largeTenant(dir, documents, READERS);
    const tokens = await Promise.all(Array.from({ length: READERS }, (_, i) => signToken(BENCH_SECRET, { tenant: 'bench', userId: teacher(i) })));
    const headersFor = (i: number) => ({ authorization: `Bearer ${tokens[i % READERS]}` });
    const locker = await startProcess(['dist/main.js', 'serve'], env);
    const sample = await fetch(`${locker.url}/v1/locker`, { headers: headersFor(0) }).then((r) => r.text());
    // Where the peak comes from: the start (opening a 100,000-document school) or the mix itself.
    const rssBeforeMix = peakRssMiB(locker.child.pid!);
    const pageFile = join(dir, 'page.json');
    writeFileSync(pageFile, sample);

    // The same mix, the product first, then the baseline (the deposits go to the product only).
    const anne = await signToken(BENCH_SECRET, { tenant: 'bench', userId: 'anne' });
    const admin = await signToken(BENCH_SECRET, { tenant: 'bench', userId: 'admin' });
    const categories = (await fetch(`${locker.url}/v1/categories`, { headers: { authorization: `Bearer ${admin}` } }).then((r) => r.json())) as { items: { id: string }[] };
    const file = randomBytes(10 * 1024);
    let writing = true;
    let deposits = 0;
    const writer = (async () => {
      while (writing) {
        const started = performance.now();
        const meta = JSON.stringify({ title: `Mix ${deposits}`, categoryId: categories.items[0]!.id, recipients: { users: [teacher(deposits % READERS)] } });
        const body = multipart(meta, file);
        const r = await fetch(`${locker.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${anne}`, ...body.headers }, body: body.payload });
        if (r.status !== 201) throw new Error(`deposit refused: ${r.status} ${await r.text()}`);
        deposits += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 / DEPOSITS_PER_SECOND - (performance.now() - started))));
      }
    })();
    const started = performance.now();
    const product = await load(`${locker.url}/v1/locker`, { ...LOAD, headersFor, serverPid: locker.child.pid! });
    writing = false;
    await writer;
    const depositsPerSecond = deposits / ((performance.now() - started) / 1000);
    const rss = peakRssMiB(locker.child.pid!);
    locker.child.kill();
    await new Promise((resolve) => locker.child.once('exit', resolve));

    const page = await startProcess(['bench/page-server.ts', pageFile], env);
    const baseline = await load(`${page.url}/v1/locker`, { ...LOAD, headersFor, serverPid: page.child.pid! });
    page.child.kill();
    return {
      figure: `GET /v1/locker first page by ${READERS} different users in turn, a tenant of ${documents} documents taking ${DEPOSITS_PER_SECOND} deposits/s, 10 connections`,
      pageBytes: Buffer.byteLength(sample),
      locker: product,
      depositsPerSecond: Number(depositsPerSecond.toFixed(1)),
      serverPeakRssMiB: Math.round(rss),
      serverPeakRssBeforeTheMixMiB: Math.round(rssBeforeMix),
      fastifyVerifyingTheSameTokensAndSendingThePage: baseline,
      ratio: Number((product.perSecond / baseline.perSecond).toFixed(3)),
      cpuRatio: Number((baseline.serverCpuMsPerRequest! / product.serverCpuMsPerRequest!).toFixed(3)),
      goal: '>= 0.5, p99 <= 10 ms, RSS <= 200 MiB',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
