import { fc, test } from '@fast-check/vitest';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { IncomingFile } from '../../src/application/incoming-file.js';
import { as, deposited, embeddedApp, filesUnder, type EmbeddedApp } from '../support/embedded-app.js';

const LIMIT = 4096;

/** `size` bytes in chunks of at most `chunk`, as a transport that does not cut at the limit hands them over. */
const sized = (size: number, chunk: number, seed: number): IncomingFile => ({
  fileName: 'f.bin',
  mediaType: 'application/octet-stream',
  content: (async function* () {
    for (let sent = 0; sent < size; sent += chunk) yield new Uint8Array(Math.min(chunk, size - sent)).fill(seed % 251);
  })(),
  truncated: () => false,
});

/**
 * The size limit, by property (issue 37: it had one test on each path): a deposit and a new version
 * are accepted exactly when the file is at most the school's limit, whatever the chunking, and a
 * refused one leaves no bytes and no event.
 */
describe('the size limit, whatever the size and the chunking', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  let documentId: string;
  beforeAll(async () => {
    app = await embeddedApp({ env: { LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: String(LIMIT) } });
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    documentId = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId);
  });
  afterAll(() => app.stop());

  const footprint = async () => ({ events: (await app.deps.events.readAll({ limit: 1_000_000 }))._unsafeUnwrap().length, blobs: filesUnder(join(app.dir, 'blobs')) });
  const size = fc.oneof(fc.integer({ min: 1, max: 3 * LIMIT }), fc.integer({ min: LIMIT - 2, max: LIMIT + 2 }));

  test.prop([size, fc.integer({ min: 1, max: 2 * LIMIT }), fc.boolean(), fc.nat()], { numRuns: 60 })('accepted exactly up to the limit, on deposit and on a new version; a refusal leaves nothing', async (bytes, chunk, newVersion, seed) => {
    const before = await footprint();
    const outcome = newVersion
      ? await app.useCases.updateContent.store(as('anne'), documentId, (await app.useCases.updateContent.check(as('anne'), documentId))._unsafeUnwrap(), sized(bytes, chunk, seed))
      : await (async () => {
          const checked = (await app.useCases.depositDocument.check(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId }, undefined))._unsafeUnwrap();
          return app.useCases.depositDocument.store(checked, sized(bytes, chunk, seed));
        })();
    if (bytes <= LIMIT) expect(outcome.isOk(), JSON.stringify(outcome)).toBe(true);
    else {
      // The store cuts it as it streams (BLOB_TOO_LARGE); both are the same 413 at the edge.
      const refusal = outcome._unsafeUnwrapErr() as { code: string; maxBytes?: number; maxDocumentBytes?: number };
      expect(['BLOB_TOO_LARGE', 'FILE_TOO_LARGE']).toContain(refusal.code);
      expect(refusal.maxBytes ?? refusal.maxDocumentBytes).toBe(LIMIT);
      expect(await footprint()).toEqual(before);
    }
  });
});
