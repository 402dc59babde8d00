import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

export type LoadResult = {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  /** CPU time the server process (all its threads) spent per request in the measured window, when its pid was given. */
  serverCpuMsPerRequest?: number;
};

/** The unit of /proc's CPU times: Linux's USER_HZ, 100 on every architecture it runs the bench on. */
const TICKS_PER_SECOND = 100;

/** CPU time this process has used so far (user + system, every thread), in ms. */
export const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** CPU time a process has used so far (user + system, every thread), in ms, as the kernel counts it. */
export const cpuTimeMs = (pid: number): number => {
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the command name (which may hold spaces).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
};

/**
 * A closed-loop load: `connections` keep-alive connections, each sending its next request as soon as
 * the previous answer has been read, for `seconds` after a warm-up. Latencies are per request; the
 * percentiles are over every request of the measured window.
 */
export const load = async (
  url: string,
  options: {
    connections: number;
    seconds: number;
    warmupSeconds?: number;
    method?: string;
    headers?: Record<string, string>;
    /** Headers of each request in turn (a different user's token each time, say), on top of `headers`. */
    headersFor?: (i: number) => Record<string, string>;
    body?: () => { headers: Record<string, string>; payload: Buffer };
    /**
     * The server's pid: its CPU time per request is reported too. On a shared machine whose speed
     * drifts between runs (seen here: the same server at 150 and 275 deposits/s ten seconds apart),
     * a process's own CPU time moves far less than its throughput.
     */
    serverPid?: number;
  },
): Promise<LoadResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  let sent = 0;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const body = options.body?.();
      const req = request(url, { method: options.method ?? 'GET', agent, headers: { ...options.headers, ...options.headersFor?.(sent++), ...body?.headers, ...(body ? { 'content-length': String(body.payload.length) } : {}) } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body?.payload);
    });
  const run = async (seconds: number, record: boolean) => {
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const until = performance.now() + seconds * 1000;
    const worker = async () => {
      while (performance.now() < until) {
        const t = performance.now();
        const status = await once();
        if (record) {
          latencies.push(performance.now() - t);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: options.connections }, worker));
    return { latencies, statuses, seconds: (performance.now() - started) / 1000 };
  };
  await run(options.warmupSeconds ?? 1, false);
  const cpuBefore = options.serverPid === undefined ? 0 : cpuTimeMs(options.serverPid);
  const { latencies, statuses, seconds } = await run(options.seconds, true);
  const cpuMs = options.serverPid === undefined ? undefined : cpuTimeMs(options.serverPid) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN).toFixed(2));
  return {
    requests: latencies.length,
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    statuses,
    ...(cpuMs === undefined ? {} : { serverCpuMsPerRequest: Number((cpuMs / Math.max(1, latencies.length)).toFixed(3)) }),
  };
};
