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
 * disk with an fsync. Peak RSS is the server process's own high-water mark.
 */
export const benchCloudDeposit = async (mib = 256) => {
  const big = new Uint8Array(mib * 1024 * 1024);
  for (let i = 0; i < big.length; i += 65536) big.set(randomBytes(Math.min(65536, big.length - i)), i);
  const dav = await startWebdav({ 'big.bin': big });
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-cloud-'));
  try {
    const started = performance.now();
    const client = createClient(dav.url, { ...WEBDAV_USER, authType: AuthType.Password });
    const response = (await client.customRequest('/big.bin', { method: 'GET' })) as unknown as Response;
    const file = createWriteStream(join(dir, 'baseline.bin'), { flush: true });
    await pipeline(response.body as unknown as AsyncIterable<Uint8Array>, file as Writable);
    const baselineMs = performance.now() - started;

    const server = await startServer(join(dir, 'data'), { LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: String(big.length + 1) });
    const json = async (method: string, path: string, who: string, body: unknown, scope?: string) =>
      fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${await token('bench', who, scope)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await json('PUT', '/v1/directory', 'sync', schoolDirectory, 'directory:write');
    const category = ((await (await json('POST', '/v1/categories', 'admin', { designation: 'Minutes' })).json()) as { id: string }).id;
    await json('PATCH', '/v1/settings', 'admin', { clouds: [{ id: 'nuage', kind: 'webdav', name: 'Nuage', url: dav.url }] });
    await json('POST', '/v1/me/clouds', 'anne', { cloudId: 'nuage', ...WEBDAV_USER });
    const rssBefore = peakRssMiB(server.child.pid!);
    const depositStarted = performance.now();
    const res = await json('POST', '/v1/documents', 'anne', { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/big.bin' } });
    const lockerMs = performance.now() - depositStarted;
    if (res.status !== 201) throw new Error(`cloud deposit: ${res.status} ${await res.text()}`);
    const peak = peakRssMiB(server.child.pid!);
    server.child.kill('SIGTERM');
    const rate = (ms: number) => Number((mib / (ms / 1000)).toFixed(1));
    return {
      figure: `${mib} MiB deposited from a WebDAV server`,
      lockerMiBPerSecond: rate(lockerMs),
      webdavClientToDiskMiBPerSecond: rate(baselineMs),
      ratio: Number((baselineMs / lockerMs).toFixed(3)),
      goal: '>= 0.7',
      serverPeakRssMiB: peak,
      serverPeakRssBeforeMiB: rssBefore,
      rssGoalMiB: 150,
    };
  } finally {
    await dav.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
