import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MinioBlobStore } from '../../src/adapters/blobs/minio-blob-store.js';
import { startBlackHole } from '../support/black-hole.js';
import { S3_CREDENTIALS, startS3 } from '../support/s3-server.js';

const bytes = (text: string) =>
  (async function* () {
    yield new TextEncoder().encode(text);
  })();

describe('S3 blob store against a silent endpoint', () => {
  // Accepts TCP and never answers: the minio client alone would wait forever.
  let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
  let endpoint: string;
  beforeAll(async () => {
    blackHole = await startBlackHole();
    endpoint = `http://127.0.0.1:${blackHole.port}`;
  });
  afterAll(async () => blackHole.stop());

  it('bounds every call and answers BLOB_STORE_UNAVAILABLE', async () => {
    const store = new MinioBlobStore({ endpoint, bucket: 'silent', ...S3_CREDENTIALS, region: 'us-east-1', timeoutMs: 300, partTimeoutMs: 300 });
    const started = Date.now();
    const results = await Promise.all([
      store.ping(),
      store.ensureBucket(),
      store.get(`school/${'a'.repeat(64)}`),
      store.delete(`school/${'a'.repeat(64)}`),
      store.exists(`school/${'a'.repeat(64)}`),
      store.stage('school', bytes('hello'), 100),
    ]);
    for (const r of results) expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(store.sweepStaging(new Date())).rejects.toThrow(/did not answer/);
  });
});

describe('S3 blob store on s3rver', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => s3.stop());

  it('two nodes creating the bucket at once both start', async () => {
    const bucket = `race-${randomUUID().slice(0, 8)}`;
    const nodes = [0, 1, 2].map(() => new MinioBlobStore({ endpoint: s3.endpoint, bucket, ...S3_CREDENTIALS }));
    const started = await Promise.all(nodes.map((n) => n.ensureBucket()));
    for (const r of started) expect(r.isOk(), JSON.stringify(r)).toBe(true);
  });

  it('a missing bucket is a broken store, not a missing document', async () => {
    const store = new MinioBlobStore({ endpoint: s3.endpoint, bucket: `gone-${randomUUID().slice(0, 8)}`, ...S3_CREDENTIALS });
    expect((await store.get(`school/${'a'.repeat(64)}`))._unsafeUnwrapErr()).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE', message: expect.stringContaining('does not exist') });
  });
});
