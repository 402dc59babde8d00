import { randomUUID } from 'node:crypto';
import { MinioBlobStore } from '../../src/adapters/blobs/minio-blob-store.js';
import { blobStoreContract } from './blob-store.contract.js';
import { S3_CREDENTIALS, startS3 } from '../support/s3-server.js';
import { minioContainer } from '../support/containers.js';

blobStoreContract('S3 (s3rver on 127.0.0.1)', async () => {
  const s3 = await startS3();
  const store = new MinioBlobStore({ endpoint: s3.endpoint, bucket: `locker-${randomUUID().slice(0, 8)}`, ...S3_CREDENTIALS });
  (await store.ensureBucket())._unsafeUnwrap();
  return { store, cleanup: s3.stop };
});

const minio = await minioContainer();
blobStoreContract('MinIO (testcontainers)', 'skip' in minio ? minio : async () => {
  const store = new MinioBlobStore({ endpoint: minio.endpoint, bucket: 'locker-contract', accessKey: minio.accessKey, secretKey: minio.secretKey });
  (await store.ensureBucket())._unsafeUnwrap();
  return { store, cleanup: minio.stop };
});
