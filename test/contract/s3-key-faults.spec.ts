import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3CredentialStore } from '../../src/adapters/blobs/s3-credential-store.js';
import { s3KeyStore } from '../../src/adapters/blobs/s3-key-store.js';
import { startS3FaultProxy } from '../support/s3-fault-proxy.js';
import { S3_CREDENTIALS, startS3 } from '../support/s3-server.js';

/** The S3 key and credential stores in an S3 brown-out (issue 31 items 5 and 6), s3rver behind a fault proxy. */
describe('S3 keys and credentials when S3 misbehaves', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let proxy: Awaited<ReturnType<typeof startS3FaultProxy>>;
  const bucket = 'locker-faults';
  beforeAll(async () => {
    s3 = await startS3();
    const url = new URL(s3.endpoint);
    await new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, ...S3_CREDENTIALS, pathStyle: true }).makeBucket(bucket).catch(() => undefined);
    proxy = await startS3FaultProxy(s3.endpoint);
  });
  afterAll(async () => {
    await proxy.stop();
    await s3.stop();
  });
  const keysThrough = (timeoutMs: number) => s3KeyStore({ endpoint: proxy.endpoint, region: 'us-east-1', bucket, ...S3_CREDENTIALS, timeoutMs, cacheMs: 0 });

  it('a key read whose body stalls after the headers is bounded: it rejects in time, and its socket is let go', async () => {
    proxy.set(() => 'none');
    const keys = keysThrough(300);
    const made = await keys.fresh('school');
    proxy.set((req) => (req.method === 'GET' ? 'stall-body' : 'none'));
    const started = Date.now();
    await expect(keys.findAll([made.id])).rejects.toThrow(/did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
    for (let i = 0; i < 50 && proxy.stalledSockets > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(proxy.stalledSockets).toBe(0);
    proxy.set(() => 'none');
    keys.close();
  });

  it('a key that is not 32 bytes is an error, never used to open anything', async () => {
    proxy.set(() => 'none');
    const url = new URL(s3.endpoint);
    const admin = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, ...S3_CREDENTIALS, pathStyle: true });
    const keys = keysThrough(2000);
    const made = await keys.fresh('school');
    // Overwritten with 16 bytes, under the same name (the store names objects by hashing the id).
    const objects: string[] = [];
    for await (const o of admin.listObjectsV2(bucket, 'keys/school/', true)) objects.push((o as { name: string }).name);
    for (const name of objects) await admin.putObject(bucket, name, Buffer.alloc(16), 16);
    await expect(keysThrough(2000).findAll([made.id])).rejects.toThrow(/16 bytes for a key, not 32/);
    keys.close();
  });

  it('one S3 blip does not poison the keys made ahead: once S3 answers again, fresh keys come', async () => {
    proxy.set(() => 'unavailable');
    const keys = keysThrough(2000);
    // While S3 refuses: each fresh key fails, as it should.
    for (let i = 0; i < 3; i++) await expect(keys.fresh('school')).rejects.toThrow();
    expect(keys.ready('school')).toBeUndefined();
    proxy.set(() => 'none');
    // Every key made ahead during the blip failed and left the pool: the next ones are made anew.
    await new Promise((r) => setTimeout(r, 50));
    const after = await Promise.all(Array.from({ length: 16 }, () => keys.fresh('school')));
    expect(after.every((k) => k.key.length === 32)).toBe(true);
    keys.close();
  });

  it('a credential read whose body stalls is bounded too', async () => {
    proxy.set(() => 'none');
    const store = s3CredentialStore({ endpoint: proxy.endpoint, region: 'us-east-1', bucket, ...S3_CREDENTIALS, timeoutMs: 300 }, Buffer.alloc(32, 7));
    await store.put('school', 'anne', 'nuage', { username: 'anne', password: 'secret' }, '2026-12-06T10:00:00.000Z');
    proxy.set((req) => (req.method === 'GET' && !req.url?.includes('list-type') ? 'stall-body' : 'none'));
    const started = Date.now();
    await expect(store.get('school', 'anne', 'nuage')).rejects.toThrow(/did not answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
    proxy.set(() => 'none');
  });
});
