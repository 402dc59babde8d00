import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'minio';
import { expect, it } from 'vitest';
import { s3CredentialStore } from '../../src/adapters/blobs/s3-credential-store.js';
import { openSqliteCredentialStore } from '../../src/adapters/sqlite/sqlite-credential-store.js';
import { S3_CREDENTIALS, startS3 } from '../support/s3-server.js';
import { credentialStoreContract } from './credential-store.contract.js';

const KEY = randomBytes(32);

credentialStoreContract('SQLite (credentials.sqlite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-creds-'));
  const opened: ReturnType<typeof openSqliteCredentialStore>[] = [];
  const open = (key = KEY) => {
    const store = openSqliteCredentialStore(join(dir, 'credentials.sqlite'), key);
    opened.push(store);
    return store;
  };
  return {
    store: open(),
    other: () => open(),
    wrongKey: () => open(randomBytes(32)),
    stop: async () => {
      for (const s of opened) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});


credentialStoreContract('S3 (s3rver on 127.0.0.1)', async () => {
  const s3 = await startS3();

  const url = new URL(s3.endpoint);
  const admin = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: S3_CREDENTIALS.accessKey, secretKey: S3_CREDENTIALS.secretKey, pathStyle: true });
  await admin.makeBucket('locker-creds').catch(() => undefined);
  const open = (key = KEY) => s3CredentialStore({ endpoint: s3.endpoint, bucket: 'locker-creds', ...S3_CREDENTIALS, timeoutMs: 5000 }, key);
  return { store: open(), other: () => open(), wrongKey: () => open(randomBytes(32)), stop: () => s3.stop() };
});

it('the S3 objects hold neither a password nor a user name in clear, nor the ids a school chose', async () => {
  const s3 = await startS3();
  try {
    const url = new URL(s3.endpoint);
    const admin = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: S3_CREDENTIALS.accessKey, secretKey: S3_CREDENTIALS.secretKey, pathStyle: true });
    await admin.makeBucket('locker-creds').catch(() => undefined);
    const store = s3CredentialStore({ endpoint: s3.endpoint, bucket: 'locker-creds', ...S3_CREDENTIALS, timeoutMs: 5000 }, KEY);
    await store.put('lycee-hugo', 'anne.martin', 'nuage', { username: 'anne.martin@ac-paris.fr', password: 'Tr0ub4dor&3' }, '2026-12-01T10:00:00.000Z');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const everything = files(s3.directory).map((f) => `${f}\n${readFileSync(f, 'latin1')}`).join('\n');
    expect(everything).toContain('credentials');
    for (const secret of ['Tr0ub4dor&3', 'anne.martin@ac-paris.fr', 'anne.martin', 'lycee-hugo']) expect(everything).not.toContain(secret);
  } finally {
    await s3.stop();
  }
});

