import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'minio';
import { s3KeyStore } from '../../src/adapters/blobs/s3-key-store.js';
import { openSqliteKeyStore } from '../../src/adapters/sqlite/sqlite-key-store.js';
import { S3_CREDENTIALS, startS3 } from '../support/s3-server.js';
import { keyStoreContract } from './key-store.contract.js';

keyStoreContract('SQLite (keys.sqlite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-keys-'));
  const opened: ReturnType<typeof openSqliteKeyStore>[] = [];
  const open = () => {
    const store = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    opened.push(store);
    return store;
  };
  return {
    keys: open(),
    other: open,
    stop: async () => {
      for (const s of opened) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

keyStoreContract('S3 (s3rver on 127.0.0.1)', async () => {
  const s3 = await startS3();
  const url = new URL(s3.endpoint);
  const admin = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: S3_CREDENTIALS.accessKey, secretKey: S3_CREDENTIALS.secretKey, pathStyle: true });
  await admin.makeBucket('locker-keys').catch(() => undefined);
  const open = () => s3KeyStore({ endpoint: s3.endpoint, bucket: 'locker-keys', ...S3_CREDENTIALS, timeoutMs: 5000, cacheMs: 0 });
  return { keys: open(), other: open, stop: () => s3.stop() };
});
