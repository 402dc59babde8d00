import { cpuTimeMs } from './load.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from './history.js';
import { peakRssMiB, startProcess } from './upload.js';

const ROOT = join(import.meta.dirname, '..');

/** The compiled CLI in its own process: what it printed, and how long it took. */
const locker = (args: string[], env: Record<string, string>) => {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['dist/main.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`locker ${args.join(' ')} failed: ${run.stdout}${run.stderr}`);
  return { out: run.stdout, seconds: (performance.now() - started) / 1000 };
};

/** A node started on the folder: seconds from spawn until GET /ready answers 200, and its peak RSS by then. */
const nodeStart = async (env: Record<string, string>) => {
  const started = performance.now();
  const node = await startProcess(['dist/main.js', 'serve'], env);
  try {
    for (;;) {
      const r = await fetch(`${node.url}/ready`).catch(() => undefined);
      if (r?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { secondsToReady: Number(((performance.now() - started) / 1000).toFixed(2)), cpuSeconds: Number((cpuTimeMs(node.child.pid!) / 1000).toFixed(2)), peakRssMiB: Math.round(peakRssMiB(node.child.pid!)) };
  } finally {
    node.child.kill();
    await new Promise((resolve) => node.child.once('exit', resolve));
  }
};

const wipeReadModels = (dir: string) => {
  for (const name of readdirSync(dir)) if (name.startsWith('read-models.sqlite')) rmSync(join(dir, name));
};

/**
 * A new node joining a deployment of `events` events (issue 35): the time until it answers
 * /ready when it starts from the newest snapshot of the read models, beside the time it takes when
 * it projects the whole log, and `locker rebuild`, all in the same run on the same log. The log is
 * the history bench's (one school, ten events a document); the copy is taken at its end.
 */
export const benchNodeStart = async (events: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-start-'));
  const env = { LOCKER_DATA_DIR: dir, LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'warn', LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SNAPSHOT_EVERY_MINUTES: '60', LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' };
  try {
    const generated = await generate(dir, events);
    const rebuild = locker(['rebuild'], env);
    const snapshot = locker(['snapshot'], env);
    const copy = JSON.parse(snapshot.out) as { sizeBytes: number };
    wipeReadModels(dir);
    const fromSnapshot = await nodeStart(env);
    wipeReadModels(dir);
    rmSync(join(dir, 'snapshots'), { recursive: true, force: true });
    const fromLog = await nodeStart(env);
    return {
      figure: `a node joining a deployment of ${generated.events} events, seconds until /ready`,
      events: generated.events,
      fromSnapshot: { ...fromSnapshot, snapshotMiB: Number((copy.sizeBytes / 1024 / 1024).toFixed(1)), snapshotTakenSeconds: Number(snapshot.seconds.toFixed(2)) },
      fromTheLog: fromLog,
      rebuildSeconds: Number(rebuild.seconds.toFixed(2)),
      ratio: Number((fromLog.secondsToReady / fromSnapshot.secondsToReady).toFixed(1)),
      goal: 'fromSnapshot.secondsToReady <= 60',
      readModelBytesPerEvent: Math.round(copy.sizeBytes / generated.events),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
