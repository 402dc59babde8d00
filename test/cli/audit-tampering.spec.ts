import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { chainHashOfCanonical, GENESIS_HASH } from '../../src/adapters/shared/event-chain.js';
import { verifyChains, type TrustedCheckpoint } from '../../src/adapters/shared/verify-chains.js';
import { SqliteEventStore } from '../../src/adapters/sqlite/sqlite-event-store.js';
import { openSqliteNotaryLedger } from '../../src/adapters/sqlite/sqlite-notary-ledger.js';
import { compose } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

/** Another memo in place of the stored one: the sealed text swapped for other bytes (memos are sealed, ADR 23). */
const forge = (data: string): string => data.replace(/("\$sealed":\{[^}]*"b":")(.)/, (_, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`);

const BIN = join(import.meta.dirname, '../../bin/locker.js');
const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-tamper-'));
  dirs.push(dir);
  return dir;
};
let pristine: string;
let saved: { publicKey: string; checkpoints: TrustedCheckpoint['checkpoint'][] };
const env = { LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' as const };

type Row = { position: number; event_id: string; stream: string; revision: number; tenant: string; type: string; data: string; meta: string; prev_hash: string; hash: string };

/** Two schools' histories, chained and signed by the notary; the auditor keeps the checkpoints. */
beforeAll(async () => {
  pristine = fresh();
  const app = await compose(loadConfig({ ...env, LOCKER_DATA_DIR: pristine }));
  const uc = app.useCases;
  for (const tenant of ['north', 'south']) {
    (await uc.syncDirectory({ tenant, userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
    const categoryId = (await uc.createCategory({ tenant, userId: 'admin', scopes: [] }, 'Minutes'))._unsafeUnwrap().id;
    const anne = { tenant, userId: 'anne', scopes: [] };
    for (let i = 0; i < 4; i++) {
      const checked = (await uc.depositDocument.check(anne, { recipients: { users: ['marc'], classes: [] }, categoryId, memo: `memo ${i}` }, undefined))._unsafeUnwrap();
      const content = (async function* () {
        yield new TextEncoder().encode(`${tenant} document ${i}`);
      })();
      const doc = (await uc.depositDocument.store(checked, { fileName: `d${i}.txt`, mediaType: 'text/plain', content, truncated: () => false }))._unsafeUnwrap().document;
      if (i % 2 === 0) (await uc.changeDocument(anne, doc.id, { memo: `changed ${i}` }))._unsafeUnwrap();
    }
  }
  const run = (await uc.notarize())._unsafeUnwrap();
  expect(run.signed.map((c) => c.tenant)).toEqual(['north', 'south']);
  saved = (await uc.auditCheckpoints({ tenant: 'north', userId: 'auditor', scopes: [] }, 10))._unsafeUnwrap() as never;
  saved = { publicKey: saved.publicKey, checkpoints: [...saved.checkpoints, ...(await uc.auditCheckpoints({ tenant: 'south', userId: 'auditor', scopes: [] }, 10))._unsafeUnwrap().checkpoints] };
  await app.close();
}, 60_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the data folder, changed by `tamper` straight in SQLite, as an attacker with disk access would. */
const tampered = (tamper: (db: Database.Database) => void, notaryTamper?: (db: Database.Database) => void) => {
  const dir = fresh();
  cpSync(pristine, dir, { recursive: true });
  const db = new Database(join(dir, 'events.sqlite'));
  tamper(db);
  db.close();
  if (notaryTamper) {
    const n = new Database(join(dir, 'notary.sqlite'));
    notaryTamper(n);
    n.close();
  }
  return dir;
};

const verifyIn = async (dir: string, options: { tenant?: string; external?: boolean } = {}) => {
  const events = new SqliteEventStore(join(dir, 'events.sqlite'));
  const notary = openSqliteNotaryLedger(join(dir, 'notary.sqlite'));
  try {
    const checkpoints = options.external ? saved.checkpoints.map((checkpoint) => ({ checkpoint, publicKeyPem: saved.publicKey })) : [];
    return (await verifyChains(events, { tenant: options.tenant, notary: options.external ? undefined : notary, checkpoints }))._unsafeUnwrap();
  } finally {
    await events.close();
    notary.close();
  }
};

const rows = (db: Database.Database, where = '1') => db.prepare(`SELECT * FROM events WHERE ${where} ORDER BY position`).all() as Row[];

/** Rewrites a stream's hashes after a change, so its own chain holds again: the attack the chain alone cannot see. */
const rechain = (db: Database.Database, stream: string) => {
  let prev = GENESIS_HASH;
  for (const r of rows(db, `stream = '${stream}'`)) {
    const hash = chainHashOfCanonical(prev, r.stream, r.revision, r.event_id, r.type, r.data, r.meta);
    db.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE position = ?').run(prev, hash, r.position);
    prev = hash;
  }
};

const northDocuments = (db: Database.Database) => rows(db, "tenant = 'north' AND stream LIKE 'north:document:%'");

describe('audit verify', () => {
  it('passes on an intact log, against the notary and against the auditor’s checkpoints', async () => {
    expect((await verifyIn(pristine)).broken).toBeNull();
    const report = await verifyIn(pristine, { external: true });
    expect(report.broken).toBeNull();
    expect(report.checkpoints.map((c) => [c.tenant, c.verified])).toEqual([
      ['north', true],
      ['south', true],
    ]);
  });

  const attacks: [string, (db: Database.Database) => void][] = [
    [
      'the last event of a stream deleted',
      (db) => {
        const last = northDocuments(db).filter((r) => r.type === 'MemoChanged').at(-1)!;
        db.prepare('DELETE FROM events WHERE position = ?').run(last.position);
      },
    ],
    [
      'a whole one-event stream deleted (a deposit vanishes)',
      (db) => {
        const counts = db.prepare("SELECT stream FROM events WHERE tenant = 'north' AND stream LIKE 'north:document:%' GROUP BY stream HAVING count(*) = 1 LIMIT 1").get() as { stream: string };
        db.prepare('DELETE FROM events WHERE stream = ?').run(counts.stream);
      },
    ],
    [
      'two documents’ deposits swapped in the global order',
      (db) => {
        const [a, b] = northDocuments(db).filter((r) => r.type === 'DocumentDeposited');
        const cols = ['event_id', 'stream', 'revision', 'tenant', 'type', 'data', 'meta', 'prev_hash', 'hash'] as const;
        // Through a placeholder: (stream, revision) and event ids are unique.
        db.prepare("UPDATE events SET event_id = event_id || '-swap', stream = stream || '-swap' WHERE position = ?").run(a!.position);
        const set = db.prepare(`UPDATE events SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE position = @position`);
        set.run({ ...a!, position: b!.position });
        set.run({ ...b!, position: a!.position });
      },
    ],
    [
      'the tenant column of an event edited',
      (db) => {
        const last = northDocuments(db).at(-1)!;
        db.prepare("UPDATE events SET tenant = 'south' WHERE position = ?").run(last.position);
      },
    ],
    [
      'a memo edited and the stream’s hashes recomputed',
      (db) => {
        const memo = northDocuments(db).find((r) => r.type === 'MemoChanged')!;
        db.prepare('UPDATE events SET data = ? WHERE position = ?').run(forge(memo.data), memo.position);
        rechain(db, memo.stream);
      },
    ],
  ];

  for (const [name, attack] of attacks) {
    it(`detects ${name}, with or without --tenant, against the notary and against saved checkpoints`, async () => {
      const dir = tampered(attack);
      for (const tenant of [undefined, 'north']) {
        const byNotary = await verifyIn(dir, { tenant });
        expect(byNotary.broken, `${name}, tenant ${tenant}`).not.toBeNull();
        const byCheckpoint = await verifyIn(dir, { tenant, external: true });
        expect(byCheckpoint.broken, `${name}, tenant ${tenant}, checkpoints`).not.toBeNull();
      }
    });
  }

  it('an attacker who also rewrites the notary’s record is caught by the checkpoints the auditor kept', async () => {
    const attack = attacks[4]![1];
    const dir = tampered(attack, (n) => {
      n.exec('DELETE FROM links; DELETE FROM heads; DELETE FROM checkpoints; DELETE FROM state;');
    });
    expect((await verifyIn(dir)).broken).toBeNull();
    const report = await verifyIn(dir, { external: true });
    expect(report.broken).not.toBeNull();
    expect(report.checkpoints.find((c) => c.tenant === 'north')).toMatchObject({ verified: false });
  });

  it('a checkpoint whose signature does not hold is refused', async () => {
    const forged = saved.checkpoints.map((c) => ({ checkpoint: { ...c, head: 'f'.repeat(64) }, publicKeyPem: saved.publicKey }));
    const events = new SqliteEventStore(join(pristine, 'events.sqlite'));
    try {
      const report = (await verifyChains(events, { checkpoints: forged }))._unsafeUnwrap();
      expect(report.checkpoints.every((c) => !c.verified && /signature/.test(c.reason ?? ''))).toBe(true);
      expect(report.broken).not.toBeNull();
    } finally {
      await events.close();
    }
  });

  it('locker audit verify --checkpoint FILE exits 0 on the intact log and 1 naming the break on a tampered one', () => {
    const file = join(fresh(), 'checkpoints.json');
    writeFileSync(file, JSON.stringify(saved));
    const run = (dir: string) =>
      spawnSync(process.execPath, [BIN, 'audit', 'verify', '--checkpoint', file], { env: { PATH: process.env.PATH, ...env, LOCKER_DATA_DIR: dir, LOCKER_LOG_LEVEL: 'silent' }, encoding: 'utf8' });
    const intact = run(pristine);
    expect(intact.status, intact.stderr).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ broken: null, checkpoints: [{ verified: true }, { verified: true }] });
    const broken = run(tampered(attacks[1]![1]));
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/broken chain at event/);
  });
});

/**
 * Each layer of verify alone (issue 37): every attack above is caught by the notary and by the
 * checkpoints too, so a per-stream check switched off went unnoticed. Here each attack is one that
 * only the layer under test can see, and the event and the reason it names are asserted.
 */
describe('audit verify, one layer at a time', () => {
  /** A north document stream with at least three events, its rows in order. */
  const longStream = (db: Database.Database) => {
    const { stream } = db.prepare("SELECT stream FROM events WHERE tenant = 'north' AND stream LIKE 'north:document:%' GROUP BY stream HAVING count(*) >= 2 LIMIT 1").get() as { stream: string };
    return rows(db, `stream = '${stream}'`);
  };
  const hashOf = (r: Row, prev: string, revision = r.revision) => chainHashOfCanonical(prev, r.stream, revision, r.event_id, r.type, r.data, r.meta);
  const streamsOnly = async (dir: string) => {
    const events = new SqliteEventStore(join(dir, 'events.sqlite'));
    try {
      return (await verifyChains(events, { tenant: 'north' }))._unsafeUnwrap();
    } finally {
      await events.close();
    }
  };
  let first: Row;
  let second: Row;
  beforeAll(() => {
    const db = new Database(join(pristine, 'events.sqlite'), { readonly: true });
    [first, second] = longStream(db) as [Row, Row];
    db.close();
  });

  it('the stream chain alone: an event changed in place is named, its content no longer matching its hash', async () => {
    const dir = tampered((db) => db.prepare('UPDATE events SET data = ? WHERE position = ?').run(forge(first.data), first.position));
    expect((await streamsOnly(dir)).broken).toMatchObject({ id: first.event_id, reason: 'its content does not match its hash: the stored event was changed' });
  });

  it('the stream chain alone: an event changed and its own hash recomputed breaks the next one\'s previous-hash', async () => {
    const dir = tampered((db) => {
      const data = forge(first.data);
      db.prepare('UPDATE events SET data = ?, hash = ? WHERE position = ?').run(data, hashOf({ ...first, data }, first.prev_hash), first.position);
    });
    expect((await streamsOnly(dir)).broken).toMatchObject({ id: second.event_id, reason: 'its previous-hash does not match the event before it' });
  });

  it('the stream chain alone: with the next previous-hash rewritten too, the next hash, which covers its previous-hash, gives it away', async () => {
    const dir = tampered((db) => {
      const data = forge(first.data);
      const hash = hashOf({ ...first, data }, first.prev_hash);
      db.prepare('UPDATE events SET data = ?, hash = ? WHERE position = ?').run(data, hash, first.position);
      db.prepare('UPDATE events SET prev_hash = ? WHERE position = ?').run(hash, second.position);
    });
    expect((await streamsOnly(dir)).broken).toMatchObject({ id: second.event_id, reason: 'its content does not match its hash: the stored event was changed' });
  });

  it('the stream chain alone: an event removed and the next one chained onto the one before still breaks the revision order', async () => {
    const dir = tampered((db) => {
      db.prepare('DELETE FROM events WHERE position = ?').run(first.position);
      db.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE position = ?').run(first.prev_hash, hashOf(second, first.prev_hash), second.position);
    });
    expect((await streamsOnly(dir)).broken).toMatchObject({ id: second.event_id, reason: `revision ${second.revision} follows ${second.revision - 2}: an event is missing or out of order` });
  });

  /** The school's last event, deleted: no stream chain can see a tail cut off. */
  const lastOfNorth = () => {
    const db = new Database(join(pristine, 'events.sqlite'), { readonly: true });
    const last = rows(db, "tenant = 'north'").at(-1)!;
    const count = rows(db, "tenant = 'north'").length;
    db.close();
    return { last, count };
  };

  it('a school\'s last event deleted: the stream chains alone see nothing, the notary alone names it', async () => {
    const { last, count } = lastOfNorth();
    const dir = tampered((db) => db.prepare('DELETE FROM events WHERE position = ?').run(last.position));
    expect((await streamsOnly(dir)).broken).toBeNull();
    expect((await verifyIn(dir, { tenant: 'north' })).broken).toMatchObject({
      id: last.event_id,
      reason: `the notary chained ${count} events of north but the log holds ${count - 1}: this event and those after it were removed`,
    });
  });

  it('a school\'s last event deleted: the auditor\'s checkpoints alone, without the notary, say how many are missing', async () => {
    const { count } = lastOfNorth();
    const dir = tampered((db) => db.prepare('DELETE FROM events WHERE position = ?').run(lastOfNorth().last.position));
    const report = await verifyIn(dir, { tenant: 'north', external: true });
    expect(report.broken).toMatchObject({ type: 'checkpoint', reason: `the log holds ${count - 1} events of north where the checkpoint signed ${count}: events were removed` });
  });

  it('an event changed and its stream rechained: the notary alone names it, as changed since it was chained', async () => {
    const dir = tampered((db) => {
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(forge(first.data), first.position);
      rechain(db, first.stream);
    });
    expect((await streamsOnly(dir)).broken).toBeNull();
    expect((await verifyIn(dir, { tenant: 'north' })).broken).toMatchObject({ id: first.event_id, reason: expect.stringMatching(/^it is not the event the notary chained as north's event \d+: its content or place changed since$/) });
    const byCheckpoints = await verifyIn(dir, { tenant: 'north', external: true });
    expect(byCheckpoints.broken).toMatchObject({ type: 'checkpoint', reason: expect.stringMatching(/^the tenant's chain at event \d+ is not the signed head$/) });
  });
});
