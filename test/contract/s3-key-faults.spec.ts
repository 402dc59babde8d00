import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3CredentialStore } from '../../src/adapters/blobs/s3-credential-store.js';
import { keepsDeletedObjects, s3Client } from '../../src/adapters/blobs/s3-client.js';
import { s3KeyStore } from '../../src/adapters/blobs/s3-key-store.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/adapters/config/config.js';
import { startServer } from '../../src/composition/serve.js';
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

  it('a bucket that would keep deleted keys is named at start: versioning on or suspended, object lock; s3rver (no such settings) keeps nothing', async () => {
    proxy.set(() => 'none');
    const client = s3Client({ endpoint: proxy.endpoint, region: 'us-east-1', ...S3_CREDENTIALS }, { idleTimeoutMs: 2000 });
    expect(await keepsDeletedObjects(client, bucket, 2000)).toBeUndefined();
    const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>${body}`;
    for (const status of ['Enabled', 'Suspended']) {
      proxy.set((req) => (req.url?.includes('versioning') ? { status: 200, body: xml(`<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`) } : 'none'));
      expect(await keepsDeletedObjects(client, bucket, 2000)).toMatch(new RegExp(`versioning ${status.toLowerCase()}: an erased key would stay`));
    }
    proxy.set((req) =>
      req.url?.includes('versioning')
        ? { status: 200, body: xml('<VersioningConfiguration></VersioningConfiguration>') }
        : req.url?.includes('object-lock')
          ? { status: 200, body: xml('<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>') }
          : 'none',
    );
    expect(await keepsDeletedObjects(client, bucket, 2000)).toMatch(/object lock/);
    proxy.set(() => 'none');
  });

  it('the server refuses to start over a keys bucket that keeps deleted objects, saying why in one line; a bucket of their own for keys is used and checked', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'locker-keys-bucket-'));
    const config = (extra: Record<string, string>) =>
      loadConfig({
        LOCKER_DATA_DIR: dataDir, LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'silent', LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
        LOCKER_BLOB_STORE: 's3', LOCKER_S3_ENDPOINT: proxy.endpoint, LOCKER_S3_REGION: 'us-east-1', LOCKER_S3_BUCKET: bucket, LOCKER_S3_ACCESS_KEY: S3_CREDENTIALS.accessKey, LOCKER_S3_SECRET_KEY: S3_CREDENTIALS.secretKey,
        ...extra,
      });
    try {
      proxy.set((req) => (req.url?.includes('versioning') ? { status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>' } : 'none'));
      await expect(startServer(config({}))).rejects.toThrow(/^refusing to start: bucket locker-faults has versioning enabled/);
      // Keys in a bucket of their own (versioning answered only for the blobs' bucket): it starts, and keys land there.
      proxy.set((req) => (req.url?.startsWith(`/${bucket}?versioning`) || req.url?.startsWith(`/${bucket}/?versioning`) ? { status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>' } : 'none'));
      const running = await startServer(config({ LOCKER_S3_KEYS_BUCKET: 'locker-keys-only' }));
      try {
        (await running.app.useCases.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, { profiles: [], users: [{ id: 'anne', displayName: 'Anne', kind: 'teacher', profiles: [] }], classes: [] }))._unsafeUnwrap();
        const url = new URL(s3.endpoint);
        const admin = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, ...S3_CREDENTIALS, pathStyle: true });
        const names: string[] = [];
        for await (const o of admin.listObjectsV2('locker-keys-only', 'keys/school/', true)) names.push((o as { name: string }).name);
        expect(names.length).toBeGreaterThan(0);
      } finally {
        await running.stop();
      }
    } finally {
      proxy.set(() => 'none');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
