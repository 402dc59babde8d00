// The floor of a deposit: what any implementation of the design must do for one, written raw in
// one handler, on the same fastify + multipart stack as the bare baseline. No decider, no command
// path, no projector, no metrics: plain statements prepared once, synchronous SQLite. The file
// goes through the product's own blob store, which is that step written plainly already.
// `small-deposit` runs it next to the product, so the figure says how far the product is from
// what the work itself costs on this machine, and the goal from what is possible at all.
import fastifyMultipart from '@fastify/multipart';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FsBlobStore } from '../src/adapters/blobs/fs-blob-store.js';
import { SqliteEventStore } from '../src/adapters/sqlite/sqlite-event-store.js';
import { READ_MODEL_SCHEMA } from '../src/adapters/sqlite/read-model-schema.js';
import { BENCH_SECRET, TEACHERS, teacher } from './tenant.js';

const dir = process.argv[2]!;
mkdirSync(dir, { recursive: true });
const blobs = new FsBlobStore(join(dir, 'blobs'));

// The product's log schema, made by the product's own adapter, then written here raw.
await new SqliteEventStore(join(dir, 'events.sqlite'), { scanThread: false }).close();
const log = new Database(join(dir, 'events.sqlite'));
log.pragma('journal_mode = WAL');
log.pragma('synchronous = FULL');
const models = new Database(join(dir, 'read-models.sqlite'));
models.pragma('journal_mode = WAL');
models.pragma('synchronous = NORMAL');
models.exec(READ_MODEL_SCHEMA);
const addUser = models.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)');
addUser.run('bench', 'anne', 'Anne Martin', 'teacher', null, '["p-teacher"]');
for (let i = 0; i < TEACHERS; i++) addUser.run('bench', teacher(i), `Teacher ${i}`, 'teacher', `${teacher(i)}@school.example`, '["p-teacher"]');

const sql = {
  user: models.prepare<[string, string], { kind: string }>('SELECT kind FROM users WHERE tenant = ? AND id = ?'),
  last: log.prepare<[string], { revision: number; hash: string }>('SELECT revision, hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1'),
  event: log.prepare('INSERT INTO events (event_id, stream, revision, tenant, type, data, meta, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
  document: models.prepare(
    `INSERT INTO documents (tenant, id, seq, year, title, category_id, memo, depositor_id, deposited_at, updated_at, deleted, version, file_name, media_type, size_bytes, sha256, blob_key)
     VALUES (?, ?, ?, '2026-2027', ?, ?, NULL, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?)`,
  ),
  version: models.prepare('INSERT INTO versions (tenant, document_id, version, blob_key, sha256, size_bytes, file_name, media_type, at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)'),
  recipient: models.prepare('INSERT INTO recipients (tenant, document_id, user_id, added_at, seq, removed) VALUES (?, ?, ?, ?, ?, 0)'),
  notification: models.prepare("INSERT INTO notifications (tenant, user_id, seq, kind, document_id, actor_id, at) VALUES (?, ?, ?, 'deposited', ?, ?, ?)"),
  mail: models.prepare("INSERT INTO outbox (tenant, mail_id, user_id, seq, kind, document_id, actor_id, at, status) VALUES (?, ?, ?, ?, 'deposited', ?, ?, ?, 'pending')"),
  checkpoint: models.prepare('INSERT INTO checkpoint (id, position, seq) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position, seq = excluded.seq'),
};

type Deposit = { id: string; depositor: string; title: string; categoryId: string; recipients: string[]; fileName: string; mediaType: string; sha256: string; size: number; at: string };

// One key per document, as the product seals a document's personal fields with its own key.
const seal = (values: unknown[], aad: string) => {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', randomBytes(32), nonce).setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(JSON.stringify(values)), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64');
};

// The event, hash-chained on its stream, appended under the stream's expected version: one
// durable commit (synchronous=FULL, as the product's log).
const append = log.transaction((d: Deposit): number => {
  const stream = `bench/document-${d.id}`;
  if (sql.last.get(stream)) throw new Error('the stream exists');
  const data = JSON.stringify({
    documentId: d.id, year: '2026-2027', depositorId: d.depositor, categoryId: d.categoryId, memo: null, recipientIds: d.recipients, named: d.recipients, classes: [], groups: [],
    content: { version: 1, blobKey: `bench/${d.sha256}`, sha256: d.sha256, sizeBytes: d.size, mediaType: d.mediaType }, source: 'upload',
    $sealed: { k: randomUUID(), f: ['title', 'content.fileName'], b: seal([d.title, d.fileName], `${d.id}|DocumentDeposited`) },
  });
  const eventId = randomUUID();
  const meta = JSON.stringify({ actor: d.depositor, at: d.at, tenant: 'bench', schemaVersion: 1 });
  const prevHash = '0'.repeat(64);
  const hash = createHash('sha256').update(`${prevHash}|${stream}|0|${eventId}|DocumentDeposited|${data}|${meta}`).digest('hex');
  return Number(sql.event.run(eventId, stream, 0, 'bench', 'DocumentDeposited', data, meta, prevHash, hash).lastInsertRowid);
});

// Its rows in the read models: the document, its version, and for each recipient the locker
// entry, the notification and the mail; with the checkpoint, one commit (synchronous=NORMAL).
let seq = 0;
const project = models.transaction((d: Deposit, position: number) => {
  seq += 1;
  sql.document.run('bench', d.id, seq, d.title, d.categoryId, d.depositor, d.at, d.at, d.fileName, d.mediaType, d.size, d.sha256, `bench/${d.sha256}`);
  sql.version.run('bench', d.id, `bench/${d.sha256}`, d.sha256, d.size, d.fileName, d.mediaType, d.at);
  for (const user of d.recipients) {
    sql.recipient.run('bench', d.id, user, d.at, seq);
    sql.notification.run('bench', user, seq, d.id, d.depositor, d.at);
    sql.mail.run('bench', `${d.id}:${user}`, user, seq, d.id, d.depositor, d.at);
  }
  sql.checkpoint.run(String(position), seq);
});

const key = new TextEncoder().encode(BENCH_SECRET);
const app = Fastify();
await app.register(fastifyMultipart, { throwFileSizeLimit: false });
app.post('/v1/documents', async (req, reply) => {
  const { payload } = await jwtVerify(req.headers.authorization!.slice(7), key, { algorithms: ['HS256'] });
  const depositor = payload.sub!;
  if (sql.user.get('bench', depositor)?.kind !== 'teacher') return reply.code(403).send({ title: 'not allowed' });
  let meta: { title: string; categoryId: string; recipients: { users: string[] } } | undefined;
  let stored: { sha256: string; size: number; fileName: string; mediaType: string } | undefined;
  for await (const part of req.parts({ limits: { fileSize: 2 ** 30 } })) {
    if (part.type === 'field') {
      meta = JSON.parse(String(part.value)) as typeof meta;
      for (const user of meta!.recipients.users) if (sql.user.get('bench', user)?.kind !== 'teacher') return reply.code(422).send({ title: 'refused' });
      continue;
    }
    // Streamed to a staged file with fsync, hashed on the way, then moved to its content address.
    const staged = (await blobs.stage('bench', part.file, 2 ** 30))._unsafeUnwrap();
    (await staged.commit())._unsafeUnwrap();
    stored = { sha256: staged.sha256, size: staged.sizeBytes, fileName: part.filename, mediaType: part.mimetype };
  }
  const d: Deposit = { id: randomUUID(), depositor, title: meta!.title, categoryId: meta!.categoryId, recipients: meta!.recipients.users, ...stored!, at: new Date().toISOString() };
  project(d, append(d));
  return reply.code(201).send({ id: d.id, title: d.title, categoryId: d.categoryId, version: 1, fileName: d.fileName, sizeBytes: d.size, recipients: d.recipients.map((id) => ({ id })) });
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
