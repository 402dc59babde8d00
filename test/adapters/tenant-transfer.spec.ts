import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Client } from 'minio';
import { ok } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { keysNamedBy } from '../../src/adapters/shared/shredding-event-store.js';
import { ARCHIVE_FORMAT, archiveEntries, archiveWriter } from '../../src/adapters/shared/tenant-archive.js';
import { exportTenant, importTenant, type TransferStores } from '../../src/adapters/shared/tenant-transfer.js';
import { verifyChains } from '../../src/adapters/shared/verify-chains.js';
import { scanLog } from '../../src/application/read-log.js';
import { compose, type App } from '../../src/composition/compose.js';
import type { Directory } from '../../src/domain/index.js';
import { as, textFile } from '../support/embedded-app.js';
import { schoolDirectory } from '../support/fixtures.js';
import { S3_CREDENTIALS, startS3 } from '../support/s3-server.js';

// A school moves from one deployment to another (ADR 54): its history, keys, files and signed
// checkpoints in an archive sealed with a transfer key. Both deployments hold another school with
// the same user ids, which nothing of the move may touch.

const TRANSFER_KEY = Buffer.alloc(32, 7);
const AT_NOW = '2026-12-07T08:00:00.000Z';
const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-move-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const open = (dir: string, extra: Record<string, string> = {}) =>
  compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', ...extra }));
const stores = (app: App): TransferStores => ({ events: app.deps.impersonalEvents, keys: app.keyStore, blobs: app.deps.blobs, notary: app.deps.notary, publicKeyPem: app.deps.signer.publicKeyPem });

const withoutSophie: Directory = {
  ...schoolDirectory,
  users: schoolDirectory.users.filter((u) => u.id !== 'sophie'),
  classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'sophie') })),
};

/** A school with a directory, a category, documents for a person and a class, and a person erased. */
const school = async (app: App, tenant: string, documents: number) => {
  (await app.useCases.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap({ withStackTrace: true });
  const categoryId = (await app.useCases.createCategory(as('admin', tenant), `Minutes of ${tenant}`))._unsafeUnwrap({ withStackTrace: true }).id;
  const ids: string[] = [];
  for (let i = 0; i < documents; i++) {
    const checked = (await app.useCases.depositDocument.check(as('anne', tenant), { recipients: { users: ['marc', 'sophie'], classes: ['3a'] }, categoryId, title: `Council minutes ${tenant} ${i}` }, undefined))._unsafeUnwrap({ withStackTrace: true });
    ids.push((await app.useCases.depositDocument.store(checked, textFile(`confidential content of ${tenant} ${i}`)))._unsafeUnwrap({ withStackTrace: true }).document.id);
  }
  return ids;
};
const eraseSophie = async (app: App, tenant: string) => {
  (await app.useCases.syncDirectory(as('s', tenant, ['directory:write']), withoutSophie))._unsafeUnwrap({ withStackTrace: true });
  (await app.useCases.erasures.erase(as('admin', tenant), 'sophie'))._unsafeUnwrap({ withStackTrace: true });
};

const exported = async (app: App, tenant: string, options: { eventsPerEntry?: number } = {}) => {
  const file = join(fresh(), `${tenant}.tar`);
  const out = createWriteStream(file);
  const report = (await exportTenant(stores(app), tenant, TRANSFER_KEY, out, { notarize: async () => app.useCases.notarize(), ...options }))._unsafeUnwrap({ withStackTrace: true });
  await finished(out);
  return { file, report };
};
/** The import, then the catch-up a server of the target makes when the log grows. */
const imported = async (app: App, file: string | Buffer, key = TRANSFER_KEY) => {
  const result = await importTenant(stores(app), key, typeof file === 'string' ? createReadStream(file) : Readable.from([file]));
  (await app.deps.projector.catchUp())._unsafeUnwrap();
  return result;
};

const text = async (app: App, tenant: string, userId: string, id: string) => {
  const result = await app.useCases.downloadDocument(as(userId, tenant), id, {});
  if (result.isErr()) throw new Error(`${userId}@${tenant} cannot download ${id}: ${JSON.stringify(result.error)}`);
  const download = result.value;
  const parts: Buffer[] = [];
  for await (const part of download.stream) parts.push(Buffer.from(part as Uint8Array));
  return Buffer.concat(parts).toString('utf8');
};
const eventsOf = async (app: App, tenant: string) => (await app.deps.impersonalEvents.readAll({ tenant, limit: 1_000_000 }))._unsafeUnwrap({ withStackTrace: true });
const keysOfPerson = async (app: App, tenant: string, person: string) => {
  const ids = new Set<string>();
  (await scanLog(app.deps.impersonalEvents, { tenant }, (e) => void keysNamedBy(e).forEach((k) => k.subject === `person:${person}` && ids.add(k.keyId))))._unsafeUnwrap({ withStackTrace: true });
  return [...ids];
};
/** What an auditor saved from GET /v1/audit/checkpoints before the move. */
const savedCheckpoints = (app: App, tenant: string) =>
  app.deps.notary.checkpoints(tenant, 1000).map((checkpoint) => ({ checkpoint, publicKeyPem: app.deps.signer.publicKeyPem }));

describe('a school moving between deployments', () => {
  let source: App;
  let archive: { file: string; report: Awaited<ReturnType<typeof exported>>['report'] };
  let documents: string[];
  let sophieKeys: string[];
  let auditorsCopy: ReturnType<typeof savedCheckpoints>;

  beforeAll(async () => {
    source = await open(fresh());
    documents = await school(source, 'north', 3);
    await school(source, 'south', 1);
    sophieKeys = await keysOfPerson(source, 'north', 'sophie');
    await eraseSophie(source, 'north');
    (await source.useCases.notarize())._unsafeUnwrap({ withStackTrace: true });
    auditorsCopy = savedCheckpoints(source, 'north');
    archive = await exported(source, 'north');
  });
  afterAll(async () => source.close());

  it('the archive holds the school’s events, live keys and files, sealed: nothing in it reads in clear, and the erased person’s keys are not in it', async () => {
    expect(sophieKeys.length).toBeGreaterThan(0);
    expect(archive.report).toMatchObject({ tenant: 'north', events: (await eventsOf(source, 'north')).length, blobs: 3, erasedKeys: sophieKeys.length });
    const bytes = readFileSync(archive.file).toString('latin1');
    for (const clear of ['confidential content', 'Council minutes', 'Anne Martin', 'Marc Petit', '"stream"']) expect(bytes).not.toContain(clear);
    // Opened with the key: every key of the school but the erased person's.
    const carried: string[] = [];
    let tenant = '';
    for await (const entry of archiveEntries(createReadStream(archive.file), TRANSFER_KEY, () => tenant)) {
      if (entry.name === 'manifest.json') tenant = ((await entry.json()) as { tenant: string }).tenant;
      else if (entry.name.startsWith('keys/')) carried.push(...((await entry.lines()) as { id: string }[]).map((k) => k.id));
    }
    expect(carried.length).toBe(archive.report.keys);
    for (const id of sophieKeys) expect(carried).not.toContain(id);
    for (const id of carried) expect(id.startsWith('k:north:')).toBe(true);
  });

  it('on another embedded deployment: the same events and hashes, the source’s checkpoints verify, the files and access are the same, the other school is untouched', async () => {
    const target = await open(fresh());
    try {
      const theirs = await school(target, 'south', 2);
      const southBefore = await eventsOf(target, 'south');
      const report = (await imported(target, archive.file))._unsafeUnwrap({ withStackTrace: true });
      expect(report).toMatchObject({ tenant: 'north', events: archive.report.events, alreadyThere: 0, keys: archive.report.keys, blobs: 3 });
      const there = await eventsOf(target, 'north');
      const here = await eventsOf(source, 'north');
      expect(there.map((e) => [e.id, e.stream, e.revision, e.hash])).toEqual(here.map((e) => [e.id, e.stream, e.revision, e.hash]));
      // The auditor's copy, taken on the source, holds on the target; the notary there chains the same.
      const verified = (await verifyChains(target.deps.events, { tenant: 'north', checkpoints: auditorsCopy }))._unsafeUnwrap({ withStackTrace: true });
      expect(verified.broken).toBeNull();
      expect(verified.checkpoints.length).toBe(auditorsCopy.length);
      expect(verified.checkpoints.every((c) => c.verified)).toBe(true);
      (await target.useCases.notarize())._unsafeUnwrap({ withStackTrace: true });
      expect(target.deps.notary.lastCheckpoint('north')?.head).toBe(source.deps.notary.lastCheckpoint('north')?.head);
      // The documents read as they did: for their recipients only, and the erased person stays erased.
      for (const [i, id] of documents.entries()) {
        expect(await text(target, 'north', 'marc', id)).toBe(`confidential content of north ${i}`);
        expect((await target.useCases.getDocument(as('marc', 'south'), id)).isOk()).toBe(false);
        expect((await target.useCases.getDocument(as('paul', 'north'), id)).isOk()).toBe(true);
        expect((await target.useCases.getDocument(as('admin', 'north'), id)).isOk()).toBe(false);
      }
      expect(target.deps.readModels.user('north', 'sophie')).toBeUndefined();
      expect((await target.keyStore.findAll(sophieKeys)).size).toBe(0);
      // The school already there is as it was, its own Sophie included.
      expect(await eventsOf(target, 'south')).toEqual(southBefore);
      expect(target.deps.readModels.user('south', 'sophie')?.displayName).toBe('Sophie Leroy');
      expect(await text(target, 'south', 'marc', theirs[1]!)).toBe('confidential content of south 1');
      // The same archive again adds nothing (the school has moved on here: the downloads are in its history).
      const now = (await eventsOf(target, 'north')).length;
      expect(now).toBe(there.length + documents.length);
      expect((await imported(target, archive.file))._unsafeUnwrap({ withStackTrace: true })).toMatchObject({ events: 0, alreadyThere: archive.report.events });
      expect((await eventsOf(target, 'north')).length).toBe(now);
    } finally {
      await target.close();
    }
  });

  it('is refused, writing nothing, for a school the target holds with another history, a wrong key, or a changed byte', async () => {
    const target = await open(fresh());
    try {
      await school(target, 'north', 1);
      const before = await eventsOf(target, 'north');
      const refused = await imported(target, archive.file);
      expect(refused._unsafeUnwrapErr().code).toBe('TENANT_EXISTS');
      expect(await eventsOf(target, 'north')).toEqual(before);
    } finally {
      await target.close();
    }
    const bytes = readFileSync(archive.file);
    const empty = await open(fresh());
    try {
      const wrongKey = await imported(empty, bytes, Buffer.alloc(32, 8));
      expect(wrongKey._unsafeUnwrapErr()).toMatchObject({ code: 'INVALID_ARCHIVE', message: expect.stringMatching(/manifest.json was changed, or the transfer key/) });
      // A byte of the last event entry changed: every key and file may be in, no event is.
      const changed = Buffer.from(bytes);
      const at = bytes.lastIndexOf(Buffer.from('events/')) + 512 + 100;
      changed[at] = changed[at]! ^ 1;
      const tampered = await imported(empty, changed);
      expect(tampered._unsafeUnwrapErr()).toMatchObject({ code: 'INVALID_ARCHIVE', message: expect.stringMatching(/events\/000001\.jsonl was changed/) });
      expect(await eventsOf(empty, 'north')).toEqual([]);
      // Not an archive at all.
      expect((await imported(empty, Buffer.from('hello')))._unsafeUnwrapErr().code).toBe('INVALID_ARCHIVE');
    } finally {
      await empty.close();
    }
  });

  it('an archive cut short stops the import and says so; the whole archive then goes on from where it stopped', async () => {
    const small = await exported(source, 'north', { eventsPerEntry: 5 });
    const bytes = readFileSync(small.file);
    // Cut after the third entry of events.
    const third = bytes.indexOf(Buffer.from('events/000004.jsonl'));
    const target = await open(fresh());
    try {
      const cut = await imported(target, bytes.subarray(0, third));
      expect(cut._unsafeUnwrapErr()).toMatchObject({ code: 'INVALID_ARCHIVE', message: expect.stringMatching(/ends early, after 15 events/) });
      expect((await eventsOf(target, 'north')).length).toBe(15);
      const rest = (await imported(target, small.file))._unsafeUnwrap({ withStackTrace: true });
      expect(rest).toMatchObject({ alreadyThere: 15, events: small.report.events - 15 });
      const verified = (await verifyChains(target.deps.events, { tenant: 'north', checkpoints: auditorsCopy }))._unsafeUnwrap({ withStackTrace: true });
      expect(verified.broken).toBeNull();
      expect(verified.checkpoints.every((c) => c.verified)).toBe(true);
    } finally {
      await target.close();
    }
  });

  it('an archive sealed with the right key but breaking the rules is refused, naming what, before any event of it is written', async () => {
    /** An archive written entry by entry with the writer itself: sealed right, wrong inside. */
    const crafted = async (tenant: string, write: (a: ReturnType<typeof archiveWriter>) => Promise<void>) => {
      const sink = new PassThrough();
      const parts: Buffer[] = [];
      sink.on('data', (b: Buffer) => parts.push(b));
      const archive = archiveWriter(tenant, TRANSFER_KEY, sink);
      await write(archive);
      await archive.end();
      return Buffer.concat(parts);
    };
    const manifest = (a: ReturnType<typeof archiveWriter>, tenant = 'west') => a.json('manifest.json', { format: ARCHIVE_FORMAT, tenant, exportedAt: AT_NOW, firstEvent: { id: 'e1', hash: 'h1' } });
    const cases: [string, (a: ReturnType<typeof archiveWriter>) => Promise<void>, RegExp][] = [
      ['no manifest first', (a) => a.json('end.json', {}), /starts with its manifest/],
      ['another format', (a) => a.json('manifest.json', { format: 'zip', tenant: 'west', exportedAt: AT_NOW, firstEvent: { id: 'e', hash: 'h' } }), /manifest.json is not what a tenant archive holds/],
      ['a key of another school', async (a) => { await manifest(a); await a.lines('keys/000001.jsonl', [{ id: 'k:east:1', key: Buffer.alloc(32).toString('base64') }]); }, /key k:east:1 is another school's/],
      ['an event of another school', async (a) => { await manifest(a); await a.lines('events/000001.jsonl', [{ id: 'e1', stream: 'east:document:d', revision: 0, type: 'X', data: {}, meta: { actor: 'a', at: AT_NOW, tenant: 'east', schemaVersion: 1 }, prevHash: 'p', hash: 'h1' }]); }, /an event of another school/],
      ['a line that is not an event', async (a) => { await manifest(a); await a.lines('events/000001.jsonl', [{ id: 'e1' }]); }, /events\/000001.jsonl, line 1 is not what a tenant archive holds/],
      ['an entry of no archive', async (a) => { await manifest(a); await a.json('notes.txt', 'hello'); }, /notes.txt is not part of a tenant archive/],
      ['bytes that are not their name', async (a) => { await manifest(a); await a.stream(`blobs/${'0'.repeat(64)}`, 5, Readable.from([Buffer.from('hello')])); }, /does not hold the bytes its name says/],
      ['an entry after the end', async (a) => { await manifest(a); await a.json('end.json', { events: 0, keys: 0, blobs: 0 }); await a.json('checkpoints.json', { publicKey: 'k', checkpoints: [] }); }, /comes after the archive's end/],
      ['counts that are not what it holds', async (a) => { await manifest(a); await a.json('checkpoints.json', { publicKey: 'k', checkpoints: [] }); await a.json('end.json', { events: 3, keys: 0, blobs: 0 }); }, /the archive says 3 events/],
      ['no checkpoints', async (a) => { await manifest(a); await a.json('end.json', { events: 0, keys: 0, blobs: 0 }); }, /holds no checkpoints.json/],
      ['a checkpoint of another school', async (a) => { await manifest(a); await a.json('checkpoints.json', { publicKey: 'k', checkpoints: [{ tenant: 'east', seq: 1, position: '1', head: 'h', at: AT_NOW, keyId: 'k', signature: 's' }] }); }, /another school’s checkpoint/],
    ];
    const target = await open(fresh());
    try {
      for (const [what, write, says] of cases) {
        const refused = await imported(target, await crafted('west', write));
        expect([what, refused._unsafeUnwrapErr().code, refused._unsafeUnwrapErr().message]).toEqual([what, 'INVALID_ARCHIVE', expect.stringMatching(says)]);
      }
      expect(await eventsOf(target, 'west')).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('a destination that fails mid-way ends the export with its error, not a wait for ever', async () => {
    let written = 0;
    const full = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.length;
        done(written > 2048 ? new Error('ENOSPC: no space left on device') : null);
      },
    });
    const result = await exportTenant(stores(source), 'north', TRANSFER_KEY, full, { notarize: async () => ok(undefined) });
    expect(result._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_FAILED', message: expect.stringMatching(/ENOSPC/) });
  });

  it('embedded → S3-backed files and keys (s3rver), and back again', async () => {
    const s3 = await startS3();
    try {
      const url = new URL(s3.endpoint);
      await new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, ...S3_CREDENTIALS, pathStyle: true }).makeBucket('cell-2');
      const bucket = { LOCKER_BLOB_STORE: 's3', LOCKER_S3_ENDPOINT: s3.endpoint, LOCKER_S3_REGION: 'us-east-1', LOCKER_S3_BUCKET: 'cell-2', LOCKER_S3_ACCESS_KEY: S3_CREDENTIALS.accessKey, LOCKER_S3_SECRET_KEY: S3_CREDENTIALS.secretKey, LOCKER_SNAPSHOT_EVERY_MINUTES: '0' };
      const hosted = await open(fresh(), bucket);
      let back: { file: string; report: { events: number } };
      try {
        await school(hosted, 'south', 1);
        (await imported(hosted, archive.file))._unsafeUnwrap({ withStackTrace: true });
        expect(await text(hosted, 'north', 'marc', documents[2]!)).toBe('confidential content of north 2');
        expect((await hosted.keyStore.findAll(sophieKeys)).size).toBe(0);
        const verified = (await verifyChains(hosted.deps.events, { tenant: 'north', checkpoints: auditorsCopy }))._unsafeUnwrap({ withStackTrace: true });
        expect(verified.checkpoints.every((c) => c.verified)).toBe(true);
        back = await exported(hosted, 'north');
      } finally {
        await hosted.close();
      }
      const embedded = await open(fresh());
      try {
        expect((await imported(embedded, back.file))._unsafeUnwrap({ withStackTrace: true })).toMatchObject({ events: back.report.events, blobs: 3 });
        expect(await text(embedded, 'north', 'marc', documents[0]!)).toBe('confidential content of north 0');
        const verified = (await verifyChains(embedded.deps.events, { tenant: 'north', checkpoints: auditorsCopy }))._unsafeUnwrap({ withStackTrace: true });
        expect(verified.broken).toBeNull();
        expect(verified.checkpoints.every((c) => c.verified)).toBe(true);
      } finally {
        await embedded.close();
      }
    } finally {
      await s3.stop();
    }
  });
});


