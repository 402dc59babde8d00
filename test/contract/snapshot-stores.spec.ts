import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'minio';
import { fsSnapshotStore } from '../../src/adapters/blobs/fs-snapshot-store.js';
import { MinioBlobStore } from '../../src/adapters/blobs/minio-blob-store.js';
import { S3_CREDENTIALS, startS3 } from '../support/s3-server.js';
import { snapshotStoreContract } from './snapshot-store.contract.js';

snapshotStoreContract('files (the data folder’s snapshots/)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-snapshots-'));
  return { store: fsSnapshotStore(dir), other: () => fsSnapshotStore(dir), stop: async () => rmSync(dir, { recursive: true, force: true }) };
});

snapshotStoreContract('S3 (s3rver on 127.0.0.1)', async () => {
  const s3 = await startS3();
  const url = new URL(s3.endpoint);
  const admin = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: S3_CREDENTIALS.accessKey, secretKey: S3_CREDENTIALS.secretKey, pathStyle: true });
  await admin.makeBucket('locker-snapshots').catch(() => undefined);
  const open = () => new MinioBlobStore({ endpoint: s3.endpoint, bucket: 'locker-snapshots', ...S3_CREDENTIALS, timeoutMs: 5000 }).snapshots();
  return { store: open(), other: open, stop: () => s3.stop() };
});
