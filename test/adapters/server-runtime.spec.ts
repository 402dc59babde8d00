import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../src/adapters/system/server-runtime.js';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// The server's memory figures hold for the flags it runs with; every way of starting it must pass
// the same ones, or the bench measures a process production never runs.
describe('the Node flags the server runs with', () => {
  const flags = SERVER_NODE_FLAGS.join(' ');

  it('are the same in npm start and the Dockerfile’s serve; bin/locker.js gives them to no command (ADR 47)', () => {
    expect(JSON.parse(read('package.json')).scripts.start).toContain(`node ${flags} dist/main.js serve`);
    expect(read('Dockerfile')).toContain(`serve) exec node ${flags} /app/dist/main.js`);
    expect(read('bin/locker.js').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('are flags this Node accepts, and give the young generation 1 MiB semi-spaces', () => {
    // `--v8-options` would list them; running one line under the flags proves Node starts with them.
    const run = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', "const v8 = require('node:v8'); for (let i = 0; i < 2e6; i++) globalThis.x = { i }; console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)"], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    // V8's new space is two semi-spaces; without the flag it grows to 16 MiB each under this load.
    expect(Number(run.stdout.trim())).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('bound the heap at 256 MiB of old generation (ADR 57)', () => {
    const run = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', "console.log(require('node:v8').getHeapStatistics().heap_size_limit)"], { encoding: 'utf8' });
    // The limit counts the young generation too: a little above the old generation's bound.
    expect(Number(run.stdout.trim()) / 2 ** 20).toBeGreaterThanOrEqual(256);
    expect(Number(run.stdout.trim()) / 2 ** 20).toBeLessThan(300);
  });
});
