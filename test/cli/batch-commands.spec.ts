import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BATCH_COMMANDS, nodeFlagsFor, SERVER_NODE_FLAGS } from '../../src/adapters/system/server-runtime.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/locker.js');
const PROBE = join(ROOT, 'test/support/node-flags-probe.cjs');
const work = mkdtempSync(join(tmpdir(), 'locker-batch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Probed = { pid: number; execArgv: string[] };
/** One entry per process, in the order they started (a loader's thread probes again under its process's pid). */
const probed = (file: string): Probed[] => {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Probed);
  return lines.filter((line, i) => lines.findIndex((other) => other.pid === line.pid) === i);
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `locker <args>` started as its first line starts it, every Node process it makes probed. */
const locker = (args: string[], name: string, hold = false) => {
  const probeFile = join(work, `${name}.jsonl`);
  const env = { PATH: process.env.PATH, LOCKER_DATA_DIR: join(work, name), LOCKER_LOG_LEVEL: 'silent', NODE_OPTIONS: `--require ${PROBE}`, PROBE_FILE: probeFile, ...(hold ? { PROBE_HOLD: '1' } : {}) };
  return { probeFile, child: spawn(process.execPath, [...SERVER_NODE_FLAGS, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] }) };
};
const finished = (child: ReturnType<typeof spawn>) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) => {
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += d));
    // 'close': the process has exited and its output has all been read.
    child.once('close', (code, signal) => resolve({ code, signal, stdout }));
  });

describe('batch commands run on V8’s default young generation (ADR 36)', () => {
  it('a rebuild or a rollover runs again in a child without the server’s flags, and answers as it would', async () => {
    const run = locker(['rebuild'], 'rebuild');
    const done = await finished(run.child);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/read models rebuilt up to position \d+/);
    const [parent, child] = probed(run.probeFile);
    expect(parent!.execArgv).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
    expect(child!.execArgv).toEqual([]);
    // A refused rollover exits as it would have: with its usage error's status.
    const refused = locker(['rollover', '--tenant', 'school', '--from', '2026-2027', '--to', '2020-2021'], 'rollover');
    expect((await finished(refused.child)).code).toBe(2);
    expect(probed(refused.probeFile)).toHaveLength(2);
  });

  it('every other command runs in one process, with the server’s flags', async () => {
    const run = locker(['directory', '--help'], 'other');
    expect((await finished(run.child)).code).toBe(0);
    const processes = probed(run.probeFile);
    expect(processes).toHaveLength(1);
    expect(processes[0]!.execArgv).toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
  });

  it('a signal to locker reaches the batch command’s child, and locker ends by that signal', async () => {
    const run = locker(['rebuild'], 'signalled', true);
    const done = finished(run.child);
    // Both processes are up once the child (held at its start) has written its line.
    let processes: Probed[] = [];
    for (let tries = 0; processes.length < 2 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      processes = probed(run.probeFile);
    }
    expect(processes).toHaveLength(2);
    run.child.kill('SIGTERM');
    expect((await done).signal).toBe('SIGTERM');
    expect(alive(processes[1]!.pid)).toBe(false);
  });

  it('the Dockerfile’s locker starts the same commands without the flags, and the others with them', () => {
    const printf = /RUN printf '([^']+)' > \/usr\/local\/bin\/locker/.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(printf).toBeDefined();
    const script = join(work, 'locker.sh');
    writeFileSync(script, spawnSync('sh', ['-c', `printf '${printf}'`], { encoding: 'utf8' }).stdout);
    chmodSync(script, 0o755);
    // A `node` that prints what it was given, first on the PATH.
    const bin = join(work, 'fake-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'node'), '#!/bin/sh\necho "$@"\n');
    chmodSync(join(bin, 'node'), 0o755);
    const run = (command: string) => spawnSync(script, [command, '--x'], { env: { PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' }).stdout.trim();
    for (const command of ['serve', 'rebuild', 'rollover', 'audit', 'token']) {
      expect(run(command)).toBe([...nodeFlagsFor(command), '/app/dist/main.js', command, '--x'].join(' '));
    }
    expect(BATCH_COMMANDS).toEqual(['rebuild', 'rollover']);
    // bin/locker.js runs before any TypeScript can be loaded: it keeps its own copy of the list.
    const inBin = /const BATCH_COMMANDS = (\[[^\]]*\]);/.exec(readFileSync(BIN, 'utf8'))?.[1];
    expect(JSON.parse(inBin!.replace(/'/g, '"'))).toEqual(BATCH_COMMANDS);
  });
});
