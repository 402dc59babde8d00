import { cpuTimeMs, ownCpuMs } from './load.js';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AuthType, createClient } from 'webdav';
import { startServer, token } from '../reliability/server.js';
import { schoolDirectory } from '../test/support/fixtures.js';
import { startWebdav, WEBDAV_USER } from '../test/support/webdav-server.js';

const peakRssMiB = (pid: number) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : null;
};

/**
 * A deposit of `mib` MiB from a WebDAV server (webdav-server, child process) into the real server
 * (child process, fs blob store, FULL), next to the `webdav` client downloading the same file to
 * disk with an fsync. Three rounds, each the baseline then a fresh server (so each peak RSS is one
 * process's own high-water mark): the ratio is the median round's, the peak the highest.
 */
export const benchCloudDeposit = async (mib = 256, rounds = 3) => {
  const big = new Uint8Array(mib * 1024 * 1024);
  for (let i = 0; i < big.length; i += 65536) big.set(randomBytes(Math.min(65536, big.length - i)), i);
  const dav = await startWebdav({ 'big.bin': big });
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-cloud-'));
  try {
    const runs: { baselineMs: number; lockerMs: number; baselineCpuMs: number; lockerCpuMs: number; peak: number | null; before: number | null }[] = [];
    for (let round = 0; round < rounds; round++) {
      // Each side starts with no dirty pages left by the one before: otherwise whichever runs
      // second pays for the first one's writeback (the third round's locker, by ~40 %).
      execFileSync('sync');
      const started = performance.now();
      const baselineCpu = ownCpuMs();
      const client = createClient(dav.url, { ...WEBDAV_USER, authType: AuthType.Password });
      const response = (await client.customRequest('/big.bin', { method: 'GET' })) as unknown as Response;
      const file = createWriteStream(join(dir, 'baseline.bin'), { flush: true });
      await pipeline(response.body as unknown as AsyncIterable<Uint8Array>, file as Writable);
      const baselineMs = performance.now() - started;
      const baselineCpuMs = ownCpuMs() - baselineCpu;

      const server = await startServer(join(dir, `data-${round}`), { LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: String(big.length + 1), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
      try {
        const json = async (method: string, path: string, who: string, body: unknown, scope?: string) =>
          fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${await token('bench', who, scope)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        await json('PUT', '/v1/directory', 'sync', schoolDirectory, 'directory:write');
        const category = ((await (await json('POST', '/v1/categories', 'admin', { designation: 'Minutes' })).json()) as { id: string }).id;
        await json('PATCH', '/v1/settings', 'admin', { clouds: [{ id: 'nuage', kind: 'webdav', name: 'Nuage', url: dav.url }] });
        // The WebDAV server is on 127.0.0.1, which outbound calls may reach only when allowed (ADR 38).
        const linked = await json('POST', '/v1/me/clouds', 'anne', { cloudId: 'nuage', ...WEBDAV_USER });
        if (linked.status !== 201) throw new Error(`linking the cloud: ${linked.status} ${await linked.text()}`);
        const before = peakRssMiB(server.child.pid!);
        execFileSync('sync');
        const depositStarted = performance.now();
        const lockerCpu = cpuTimeMs(server.child.pid!);
        const res = await json('POST', '/v1/documents', 'anne', { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/big.bin' } });
        const lockerMs = performance.now() - depositStarted;
        const lockerCpuMs = cpuTimeMs(server.child.pid!) - lockerCpu;
        if (res.status !== 201) throw new Error(`cloud deposit: ${res.status} ${await res.text()}`);
        runs.push({ baselineMs, lockerMs, baselineCpuMs, lockerCpuMs, peak: peakRssMiB(server.child.pid!), before });
      } finally {
        server.child.kill('SIGTERM');
      }
    }
    const rate = (ms: number) => Number((mib / (ms / 1000)).toFixed(1));
    const byRatio = [...runs].sort((a, b) => a.baselineMs / a.lockerMs - b.baselineMs / b.lockerMs);
    const median = byRatio[Math.floor(byRatio.length / 2)]!;
    return {
      figure: `${mib} MiB deposited from a WebDAV server (median of ${rounds} rounds)`,
      lockerMiBPerSecond: rate(median.lockerMs),
      webdavClientToDiskMiBPerSecond: rate(median.baselineMs),
      ratio: Number((median.baselineMs / median.lockerMs).toFixed(3)),
      // CPU per MiB: the server's (every thread) against the WebDAV client's process, same round.
      cpuMsPerMiB: { locker: Number((median.lockerCpuMs / mib).toFixed(2)), webdavClientToDisk: Number((median.baselineCpuMs / mib).toFixed(2)) },
      cpuRatio: Number((median.baselineCpuMs / median.lockerCpuMs).toFixed(3)),
      ratios: runs.map((r) => Number((r.baselineMs / r.lockerMs).toFixed(3))),
      serverPeakRssMiBByRound: runs.map((r) => r.peak),
      goal: '>= 0.7',
      serverPeakRssMiB: Math.max(...runs.map((r) => r.peak ?? 0)),
      serverPeakRssBeforeMiB: Math.max(...runs.map((r) => r.before ?? 0)),
      rssGoalMiB: 150,
    };
  } finally {
    await dav.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
