import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'minio';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import type { SqliteReadModels } from '../../src/adapters/sqlite/sqlite-read-models.js';
import type { Directory } from '../../src/domain/index.js';
import { compose } from '../../src/composition/compose.js';
import { as, textFile } from '../support/embedded-app.js';
import { schoolDirectory } from '../support/fixtures.js';
import { S3_CREDENTIALS, startS3 } from '../support/s3-server.js';

// A node that starts without read models (new, or its disk wiped) starts from the deployment's
// newest copy of them and catches up from its checkpoint (ADR 51). Two schools share user ids.

const TENANTS = ['lycee-a', 'lycee-b'];
const env = (dir: string, extra: Record<string, string> = {}) =>
  loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_SNAPSHOT_EVERY_MINUTES: '60', LOCKER_NODE_ID: 'node-1', ...extra });

const deposit = async (app: Awaited<ReturnType<typeof compose>>, tenant: string, title: string) => {
  const categoryId = app.deps.readModels.categories(tenant)[0]!.id;
  const checked = (await app.useCases.depositDocument.check(as('anne', tenant), { recipients: { users: ['marc'], classes: ['3a'] }, categoryId, title }, undefined))._unsafeUnwrap();
  return (await app.useCases.depositDocument.store(checked, textFile(title)))._unsafeUnwrap().document.id;
};

const wipeReadModels = (dir: string) => {
  for (const name of readdirSync(dir)) if (name.startsWith('read-models.sqlite')) rmSync(join(dir, name));
};

const dumpOf = (app: Awaited<ReturnType<typeof compose>>) => (app.deps.readModels as SqliteReadModels).dump();

describe('read-model snapshots', () => {
  it('a node without read models starts from the newest copy, catches up from its checkpoint, and ends where a full projection ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-snapshot-'));
    try {
      let app = await compose(env(dir));
      for (const tenant of TENANTS) {
        (await app.useCases.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap();
        (await app.useCases.createCategory(as('admin', tenant), `Minutes of ${tenant}`))._unsafeUnwrap();
        await deposit(app, tenant, `before the copy, ${tenant}`);
      }
      // Nothing to copy from the CLI of another node while this one holds the job's lease.
      const other = await compose(env(dir, { LOCKER_NODE_ID: 'node-2' }));
      const taken = (await app.useCases.snapshots.take(app.nodeId))._unsafeUnwrap().taken!;
      expect(taken.checkpoint).toBe(app.deps.readModels.checkpoint());
      expect((await other.useCases.snapshots.take(other.nodeId))._unsafeUnwrap()).toEqual({ taken: null, deleted: 0 });
      await other.close();
      // The same node again: a newer copy replaces the older.
      const first = taken;
      await deposit(app, 'lycee-a', 'between two copies');
      const second = (await app.useCases.snapshots.take(app.nodeId))._unsafeUnwrap();
      expect(second.deleted).toBe(1);
      expect((await app.deps.snapshots!.list())._unsafeUnwrap()).toEqual([second.taken]);
      expect(second.taken!.checkpoint).toBeGreaterThan(first.checkpoint);
      // Written after the copy: only the catch-up can bring these.
      const after = await deposit(app, 'lycee-b', 'after the copy');
      (await app.useCases.changeDocument(as('anne', 'lycee-b'), after, { memo: 'changed after' }))._unsafeUnwrap();
      const full = dumpOf(app);
      await app.close();

      wipeReadModels(dir);
      app = await compose(env(dir));
      expect(app.readModelsRestored).toEqual({ restored: second.taken });
      // Restored, not projected: the read models start at the copy's checkpoint.
      expect(app.deps.readModels.checkpoint()).toBe(second.taken!.checkpoint);
      expect(app.deps.readModels.document('lycee-b', after)).toBeUndefined();
      (await app.deps.projector.catchUp())._unsafeUnwrap();
      expect(dumpOf(app)).toEqual(full);
      expect((await app.useCases.getDocument(as('marc', 'lycee-b'), after))._unsafeUnwrap().memo).toBe('changed after');
      // Each school still sees only its own.
      expect((await app.useCases.myLocker(as('marc', 'lycee-a'), {}, { limit: 100 }))._unsafeUnwrap().items.map((d) => d.title).sort()).toEqual(['before the copy, lycee-a', 'between two copies']);
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a copy whose bytes do not match its hash is not used: the node projects the log instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-snapshot-'));
    try {
      let app = await compose(env(dir));
      (await app.useCases.syncDirectory(as('s', 'lycee-a', ['directory:write']), schoolDirectory))._unsafeUnwrap();
      const taken = (await app.useCases.snapshots.take(app.nodeId))._unsafeUnwrap().taken!;
      const full = dumpOf(app);
      await app.close();
      const [name] = readdirSync(join(dir, 'snapshots'));
      const path = join(dir, 'snapshots', name!);
      const bytes = readFileSync(path);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(path, bytes);
      wipeReadModels(dir);
      app = await compose(env(dir));
      expect(app.readModelsRestored).toEqual({ restored: null, failed: expect.stringContaining(`not ${taken.sha256}`) });
      expect(app.deps.readModels.checkpoint()).toBe(0n);
      (await app.deps.projector.catchUp())._unsafeUnwrap();
      expect(dumpOf(app)).toEqual(full);
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an erasure deletes every copy taken before it; the next holds nothing of the erased person', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-snapshot-'));
    const withoutSophie: Directory = {
      ...schoolDirectory,
      users: schoolDirectory.users.filter((u) => u.id !== 'sophie'),
      classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'sophie') })),
    };
    try {
      const app = await compose(env(dir));
      for (const tenant of TENANTS) (await app.useCases.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap();
      (await app.useCases.snapshots.take(app.nodeId))._unsafeUnwrap();
      const copies = () => readdirSync(join(dir, 'snapshots')).map((n) => readFileSync(join(dir, 'snapshots', n)).toString('latin1')).join('\n');
      expect(copies().split('Sophie Leroy').length - 1).toBe(2);
      (await app.useCases.syncDirectory(as('s', 'lycee-a', ['directory:write']), withoutSophie))._unsafeUnwrap();
      (await app.useCases.erasures.erase(as('admin', 'lycee-a'), 'sophie'))._unsafeUnwrap();
      expect((await app.deps.snapshots!.list())._unsafeUnwrap()).toEqual([]);
      (await app.useCases.snapshots.take(app.nodeId))._unsafeUnwrap();
      // The other school's Sophie is another person, still in its directory: kept, once.
      expect(copies().split('Sophie Leroy').length - 1).toBe(1);
      expect(app.deps.readModels.user('lycee-a', 'sophie')).toBeUndefined();
      expect(app.deps.readModels.user('lycee-b', 'sophie')?.displayName).toBe('Sophie Leroy');
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in hosted mode the copies are in the bucket: a second node with an empty disk starts from the first one’s', async () => {
    const s3 = await startS3();
    const dirs = [mkdtempSync(join(tmpdir(), 'locker-node1-')), mkdtempSync(join(tmpdir(), 'locker-node2-'))];
    const bucket = { LOCKER_BLOB_STORE: 's3', LOCKER_S3_ENDPOINT: s3.endpoint, LOCKER_S3_REGION: 'us-east-1', LOCKER_S3_BUCKET: 'locker-cell', LOCKER_S3_ACCESS_KEY: S3_CREDENTIALS.accessKey, LOCKER_S3_SECRET_KEY: S3_CREDENTIALS.secretKey };
    try {
      const url = new URL(s3.endpoint);
      await new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, ...S3_CREDENTIALS, pathStyle: true }).makeBucket('locker-cell');
      // The embedded log stands in for the cell's EventStoreDB: node 2 reads node 1's through a copy of its folder.
      const first = await compose(env(dirs[0]!, { ...bucket, LOCKER_SNAPSHOT_EVERY_MINUTES: '' }));
      expect(first.readModelsRestored).toEqual({ restored: null });
      for (const tenant of TENANTS) (await first.useCases.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap();
      const taken = (await first.useCases.snapshots.take(first.nodeId))._unsafeUnwrap().taken!;
      const full = dumpOf(first);
      await first.close();
      // (The data keys are in the bucket already.)
      writeFileSync(join(dirs[1]!, 'events.sqlite'), readFileSync(join(dirs[0]!, 'events.sqlite')));
      const second = await compose(env(dirs[1]!, { ...bucket, LOCKER_SNAPSHOT_EVERY_MINUTES: '0', LOCKER_NODE_ID: 'node-2' }));
      expect(second.readModelsRestored).toEqual({ restored: taken });
      expect(dumpOf(second)).toEqual(full);
      await second.close();
    } finally {
      await s3.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
