import { cpuTimeMs } from './load.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningUrl } from '../test/support/listening.js';
import { SERVER_NODE_FLAGS } from '../src/adapters/system/server-runtime.js';

const MiB = 1024 * 1024;
const ROOT = join(import.meta.dirname, '..');

export const startProcess = async (args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> => {
  const child = spawn(process.execPath, [...(args[0] === 'dist/main.js' && args[1] === 'serve' ? SERVER_NODE_FLAGS : []), ...(args[0]!.endsWith('.ts') ? ['--import', 'tsx'] : []), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return { child, url: await listeningUrl(child, args.join(' ')) };
};

/** Peak resident memory of a process so far, as the kernel counts it (VmHWM). */
export const peakRssMiB = (pid: number) => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** Streams a multipart body of `bytes` bytes without holding it: one 1 MiB block sent again and again. */
export const uploadMultipart = (url: string, headers: Record<string, string>, meta: string | undefined, bytes: number) =>
  new Promise<{ status: number; seconds: number; body: string }>((resolve, reject) => {
    const boundary = `----bench${randomBytes(8).toString('hex')}`;
    const head =
      (meta === undefined ? '' : `--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\n\r\n${meta}\r\n`) +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const tail = `\r\n--${boundary}--\r\n`;
    const block = randomBytes(MiB);
    const started = performance.now();
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(Buffer.byteLength(head) + bytes + Buffer.byteLength(tail)) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, seconds: (performance.now() - started) / 1000, body }));
    });
    req.on('error', reject);
    req.write(head);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const chunk = bytes - sent >= MiB ? block : block.subarray(0, bytes - sent);
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });

const sh = (args: string[], env: Record<string, string>) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`locker ${args.join(' ')} exited ${code}`))));
  });

/** One deposit of `bytes` through the product, next to the bare baseline, in the same run. */
export const benchUpload = async (bytes: number, extraEnv: Record<string, string> = {}, label = 'fs') => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-up-'));
  const env = { LOCKER_DATA_DIR: join(dir, 'data'), LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'warn', LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: String(4 * 1024 * MiB), ...extraEnv };
  try {
    await sh(['directory', 'import', 'examples/directory.json', '--tenant', 'bench'], env);
    const admin = await sh(['token', '--tenant', 'bench', '--user', 'u-admin'], env);
    const anne = await sh(['token', '--tenant', 'bench', '--user', 'u-anne'], env);

    const bareUpload = async (mode: string) => {
      const bare = await startProcess(['bench/bare-upload-server.ts', dir, mode], {});
      const cpu = cpuTimeMs(bare.child.pid!);
      const result = await uploadMultipart(`${bare.url}/upload`, {}, undefined, bytes);
      const cpuMs = cpuTimeMs(bare.child.pid!) - cpu;
      bare.child.kill();
      return { ...result, cpuMs };
    };
    const baseline = await bareUpload('plain');
    const durableBaseline = await bareUpload('fsync');

    // The product as `npm start` runs it: compiled JavaScript, no transpiler in the process.
    const locker = await startProcess(['dist/main.js', 'serve'], env);
    const category = await fetch(`${locker.url}/v1/categories`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ designation: 'Bench' }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const rssBefore = peakRssMiB(locker.child.pid!);
    const meta = JSON.stringify({ recipients: { users: ['u-marc'] }, categoryId: category.id });
    const productCpu = cpuTimeMs(locker.child.pid!);
    const product = await uploadMultipart(`${locker.url}/v1/documents`, { authorization: `Bearer ${anne}` }, meta, bytes);
    const productCpuMs = cpuTimeMs(locker.child.pid!) - productCpu;
    const peak = peakRssMiB(locker.child.pid!);
    locker.child.kill();
    if (product.status !== 201) throw new Error(`deposit failed: ${product.status} ${product.body}`);

    const mbps = (s: number) => Number((bytes / MiB / s).toFixed(1));
    return {
      blobStore: label,
      bytes,
      lockerDepositMiBPerSecond: mbps(product.seconds),
      bareFastifyToDiskMiBPerSecond: mbps(baseline.seconds),
      ratio: Number((baseline.seconds / product.seconds).toFixed(3)),
      // The servers' CPU time per MiB received (every thread of each process).
      serverCpuMsPerMiB: { locker: Number((productCpuMs / (bytes / MiB)).toFixed(2)), bareFastify: Number((baseline.cpuMs / (bytes / MiB)).toFixed(2)), bareFastifyWithFsync: Number((durableBaseline.cpuMs / (bytes / MiB)).toFixed(2)) },
      cpuRatio: Number((baseline.cpuMs / productCpuMs).toFixed(3)),
      goal: '>= 0.7',
      bareFastifyToDiskWithFsyncMiBPerSecond: mbps(durableBaseline.seconds),
      ratioAgainstFsyncBaseline: Number((durableBaseline.seconds / product.seconds).toFixed(3)),
      serverPeakRssMiB: Math.round(peak),
      serverPeakRssBeforeUploadMiB: Math.round(rssBefore),
      rssGoal: '<= 150 MB',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
