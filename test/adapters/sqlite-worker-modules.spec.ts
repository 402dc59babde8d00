import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pageReader, type Page } from '../../src/adapters/sqlite/prefix-page-reader.js';
import type { PrefixScanWork } from '../../src/adapters/sqlite/prefix-scan-worker.js';
import { SqliteEventStore } from '../../src/adapters/sqlite/sqlite-event-store.js';
import { siblingModule, startWorker } from '../../src/adapters/sqlite/worker-module.js';

const dir = mkdtempSync(join(tmpdir(), 'locker-worker-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('worker threads started from their modules', () => {
  it('the prefix scan thread, started from its TypeScript source, reads the pages the caller reads itself', async () => {
    const file = join(dir, 'events.sqlite');
    const store = new SqliteEventStore(file);
    for (const stream of ['a:document:1', 'a:document:2', 'b:document:1']) {
      const events = [0, 1].map((i) => ({ id: `${stream}-${i}`, type: 'MemoChanged', data: { memo: `${stream} ${i}` }, meta: { actor: 'anne', at: '2026-12-01T10:00:00.000Z', tenant: stream[0]!, schemaVersion: 3 } }));
      (await store.append(stream, events, 'no-stream'))._unsafeUnwrap();
    }
    await store.close();
    const here = new Database(file, { readonly: true });
    const next = pageReader(here, 'a:', 'a;', 100, undefined);
    const expected = next();
    here.close();

    const workerData: PrefixScanWork = { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file, prefix: 'a:', upper: 'a;', page: 100, ahead: 1, filter: undefined };
    const worker = startWorker(siblingModule(new URL('../../src/adapters/sqlite/worker-module.ts', import.meta.url).href, 'prefix-scan-worker'), { workerData });
    const page = await new Promise<Page>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    worker.postMessage('stop');
    await new Promise((resolve) => worker.once('exit', resolve));
    expect(page).toEqual(expected);
    expect(JSON.parse(page.text)).toHaveLength(4);
    expect(page.text).not.toContain('b:document');
  });

  it('a sibling module keeps the extension of the module asking: TypeScript from the sources, JavaScript built', () => {
    expect(siblingModule('file:///app/src/adapters/sqlite/x.ts', 'y').href).toBe('file:///app/src/adapters/sqlite/y.ts');
    expect(siblingModule('file:///app/dist/adapters/sqlite/x.js', 'y').href).toBe('file:///app/dist/adapters/sqlite/y.js');
  });
});
