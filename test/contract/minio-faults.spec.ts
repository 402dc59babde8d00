import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'minio';
import { MinioBlobStore } from '../../src/adapters/blobs/minio-blob-store.js';
import { s3Client } from '../../src/adapters/blobs/s3-client.js';
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

describe('S3 requests a silent endpoint never answers (issue 31)', () => {
  it('are given up on for real: their sockets are closed, not left open with their buffers', async () => {
    const silent = await startBlackHole();
    try {
      const store = new MinioBlobStore({ endpoint: `http://127.0.0.1:${silent.port}`, bucket: 'silent', ...S3_CREDENTIALS, region: 'us-east-1', timeoutMs: 200, partTimeoutMs: 200 });
      const calls = await Promise.all(Array.from({ length: 20 }, (_, i) => store.exists(`school/${String(i).padStart(64, '0')}`)));
      for (const r of calls) expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE' });
      expect(silent.open).toBeGreaterThan(0);
      for (let i = 0; i < 100 && silent.open > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(silent.open).toBe(0);
    } finally {
      await silent.stop();
    }
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

  const MiB = 1024 * 1024;
  /** `n` MiB, a MiB a chunk; with `failAfter`, the source breaks after that many, as a client that goes away. */
  const mebibytes = (n: number, failAfter?: number) =>
    (async function* () {
      for (let i = 0; i < n; i++) {
        if (i === failAfter) throw new Error('the client went away');
        yield new Uint8Array(MiB).fill(i);
      }
    })();
  const freshStore = async () => {
    const bucket = `parts-${randomUUID().slice(0, 8)}`;
    const store = new MinioBlobStore({ endpoint: s3.endpoint, bucket, ...S3_CREDENTIALS });
    (await store.ensureBucket())._unsafeUnwrap();
    return { bucket, store, client: s3Client({ endpoint: s3.endpoint, ...S3_CREDENTIALS }) };
  };
  const all = async <T>(items: AsyncIterable<T>) => {
    const found: T[] = [];
    for await (const item of items) found.push(item);
    return found;
  };
  const incompleteUploads = (client: Client, bucket: string) => all(client.listIncompleteUploads(bucket, '', true));

  it('an upload refused after some of its parts were sent aborts them: no incomplete upload, no staging object', async () => {
    const { bucket, store, client } = await freshStore();
    // Over the limit in its third part, then a source that breaks in its second.
    expect((await store.stage('school', mebibytes(24), 20 * MiB))._unsafeUnwrapErr()).toMatchObject({ code: 'BLOB_TOO_LARGE' });
    expect((await store.stage('school', mebibytes(24, 12), 100 * MiB))._unsafeUnwrapErr()).toMatchObject({ code: 'UPLOAD_ABORTED' });
    expect(await incompleteUploads(client, bucket)).toEqual([]);
    expect(await all(client.listObjectsV2(bucket, '', true))).toEqual([]);
    // Several parts that all arrive make one object of the exact bytes.
    const staged = (await store.stage('school', mebibytes(20), 20 * MiB))._unsafeUnwrap();
    (await staged.commit())._unsafeUnwrap();
    expect((await store.get(staged.key))._unsafeUnwrap().sizeBytes).toBe(20 * MiB);
    expect(await incompleteUploads(client, bucket)).toEqual([]);
  });

  it('the sweep aborts a multipart upload a crash left behind, once it is older than the grace period', async () => {
    const { bucket, store, client } = await freshStore();
    const key = '.staging/school/crashed';
    const uploadID = await client.initiateNewMultipartUpload(bucket, key, {});
    await client.uploadPart({ bucketName: bucket, objectName: key, uploadID, partNumber: 1, headers: {} }, Buffer.alloc(1024, 1));
    expect((await incompleteUploads(client, bucket)).map((u) => [u.key, u.uploadId, u.size])).toEqual([[key, uploadID, 1024]]);
    expect(await store.sweepStaging(new Date(Date.now() - 60_000))).toBe(0);
    expect(await incompleteUploads(client, bucket)).toHaveLength(1);
    expect(await store.sweepStaging(new Date(Date.now() + 60_000))).toBe(1);
    expect(await incompleteUploads(client, bucket)).toEqual([]);
  });

  it('S3 failing in the middle of a large upload answers BLOB_STORE_UNAVAILABLE, and the upload is aborted', async () => {
    const { bucket, client } = await freshStore();
    // A part that does not land within its time fails the upload at the next part.
    const slow = new MinioBlobStore({ endpoint: s3.endpoint, bucket, ...S3_CREDENTIALS, partTimeoutMs: 1 });
    expect((await slow.stage('school', mebibytes(24), 100 * MiB))._unsafeUnwrapErr()).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE', message: expect.stringContaining('did not answer') });
    expect(await incompleteUploads(client, bucket)).toEqual([]);
    // A bucket gone before the first part: the multipart upload cannot even start.
    const gone = new MinioBlobStore({ endpoint: s3.endpoint, bucket: `gone-${randomUUID().slice(0, 8)}`, ...S3_CREDENTIALS });
    expect((await gone.stage('school', mebibytes(12), 100 * MiB))._unsafeUnwrapErr()).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE' });
  });

  it('a missing bucket is a broken store, not a missing document', async () => {
    const store = new MinioBlobStore({ endpoint: s3.endpoint, bucket: `gone-${randomUUID().slice(0, 8)}`, ...S3_CREDENTIALS });
    expect((await store.get(`school/${'a'.repeat(64)}`))._unsafeUnwrapErr()).toMatchObject({ code: 'BLOB_STORE_UNAVAILABLE', message: expect.stringContaining('does not exist') });
  });
});
