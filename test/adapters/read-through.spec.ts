import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readThrough } from '../../src/adapters/sqlite/read-through.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const files = (...sizes: number[]) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-read-through-'));
  dirs.push(dir);
  return sizes.map((size, i) => {
    const file = join(dir, `f${i}`);
    writeFileSync(file, Buffer.alloc(size, i + 1));
    return file;
  });
};

describe('reading a log through beside a scan', () => {
  it('reads every file to its end, a missing one (a WAL checkpointed away) is no error', async () => {
    const [a, b] = files(3 * (1 << 20) + 17, 5);
    expect(await readThrough([a!, `${a}-wal`, b!], 1 << 30, () => false)).toBe(3 * (1 << 20) + 17 + 5);
  });

  it('leaves a file larger than its bound alone, and reads the others', async () => {
    const [big, small] = files(4096, 10);
    expect(await readThrough([big!, small!], 1000, () => false)).toBe(10);
  });

  it('stops when the scan is over', async () => {
    const [a] = files(8 * (1 << 20));
    let reads = 0;
    // Told to stop after its second read of 1 MiB.
    expect(await readThrough([a!], 1 << 30, () => ++reads > 2)).toBe(2 * (1 << 20));
  });
});
