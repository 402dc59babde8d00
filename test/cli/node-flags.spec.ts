import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../src/adapters/system/server-runtime.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/locker.js');
const PROBE = join(ROOT, 'test/support/node-flags-probe.cjs');
const work = mkdtempSync(join(tmpdir(), 'locker-flags-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The Node processes `locker <args>` made (one line each, a loader's thread aside), with their flags. */
const probed = (file: string): { pid: number; execArgv: string[] }[] => {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { pid: number; execArgv: string[] });
  return lines.filter((line, i) => lines.findIndex((other) => other.pid === line.pid) === i);
};

describe('every command runs in one process, on V8’s default; the server alone with its flags (ADR 28, ADR 47)', () => {
  it('a rebuild, as bin/locker.js’s first line starts it: one process, no server flags', async () => {
    const probeFile = join(work, 'rebuild.jsonl');
    const env = { PATH: process.env.PATH, LOCKER_DATA_DIR: join(work, 'rebuild'), LOCKER_LOG_LEVEL: 'silent', NODE_OPTIONS: `--require ${PROBE}`, PROBE_FILE: probeFile };
    // As its first line starts it: `node bin/locker.js`, no flags.
    const child = spawn(process.execPath, [BIN, 'rebuild'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect([code, stdout]).toEqual([0, expect.stringMatching(/read models rebuilt up to position \d+/)]);
    const processes = probed(probeFile);
    expect(processes).toHaveLength(1);
    expect(processes[0]!.execArgv).not.toEqual(expect.arrayContaining([...SERVER_NODE_FLAGS]));
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('the Dockerfile’s locker gives the server its flags, and no other command', () => {
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
      expect(run(command)).toBe([...(command === 'serve' ? SERVER_NODE_FLAGS : []), '/app/dist/main.js', command, '--x'].join(' '));
    }
  });
});
