import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cryptoIds } from '../../src/adapters/system/crypto-ids.js';
import { isLeaseStream, streams } from '../../src/application/streams.js';
import { TOKENS } from '../../src/composition/compose.js';
import { as, embeddedApp, textFile, type EmbeddedApp } from '../support/embedded-app.js';

// Stream names and derived ids are kept in the log: they are a stored format. A release that
// renamed a stream would lose its history; one that derived another id from an Idempotency-Key
// would answer a client's retry across the upgrade with a second document, and a rollover rerun
// after it would carry every document twice. The values here are the ones the log already holds.

describe('names and ids the log keeps', () => {
  it('every stream is named as before, tenant first; only the leases are lease streams', () => {
    const s = streams(cryptoIds);
    const named = {
      document: s.document('school', 'd-1'),
      locker: s.locker('school', 'marc'),
      settings: s.settings('school'),
      directory: s.directory('school'),
      mailLease: s.mailLease('school'),
      webhooks: s.webhooks('school'),
      erasures: s.erasures('school'),
      webhookLease: s.webhookLease('school'),
      sweepLease: s.sweepLease('school'),
      collection: s.collection('school', 'c-1'),
      scans: s.scans('school'),
      snapshotLease: s.snapshotLease(),
      schoolMoves: s.schoolMoves(),
    };
    expect(named).toEqual(GOLDEN_STREAMS);
    const leases = Object.entries(named).filter(([, stream]) => isLeaseStream(stream)).map(([name]) => name);
    expect(leases.sort()).toEqual(['mailLease', 'snapshotLease', 'sweepLease', 'webhookLease']);
  });
});

describe('ids derived from a request', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  // Fresh ids counted, so that what goes into a derivation (a category's id) is the same each run.
  let n = 0;
  const ids = { ...cryptoIds, newId: () => `00000000-0000-7000-8000-${String((n += 1)).padStart(12, '0')}` };
  const clock = { now: () => '2026-12-01T10:00:00.000Z' };
  beforeAll(async () => {
    app = await embeddedApp({ overrides: (c) => (c.register(TOKENS.Ids, { useValue: ids }), c.register(TOKENS.Clock, { useValue: clock })) });
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  });
  afterAll(() => app.stop());

  it('a deposit with an Idempotency-Key: its documents’ ids and its fingerprint; carried into the next year: the copies’ ids', async () => {
    const meta = { recipients: { users: ['marc'], classes: [] }, categoryId, title: 'Minutes of June' };
    const ready = (await app.useCases.depositDocument.check(as('anne'), meta, 'key-1'))._unsafeUnwrap();
    const files = [textFile('first', false, 'a.txt'), textFile('second', false, 'b.txt')];
    const stored = (await app.useCases.depositDocument.storeAll(ready, async () => files.shift()))._unsafeUnwrap();
    const ids = stored.documents.map((d) => d.id);
    const [first] = (await app.deps.events.readStream(app.deps.streams.document('school', ids[0]!)))._unsafeUnwrap();
    const fingerprint = (first!.data as { idempotency: { fingerprint: string } }).idempotency.fingerprint;
    const report = (await app.useCases.rollover(as('admin'), { from: '2026-2027', to: '2027-2028', dryRun: false }))._unsafeUnwrap();
    expect(report.carried).toBe(2);
    const carried = (await app.deps.events.readAll({ limit: 10_000 }))._unsafeUnwrap().filter((e) => e.type === 'DocumentCarriedOver').map((e) => (e.data as { documentId: string }).documentId);
    expect({ ids, fingerprint, carried }).toEqual(GOLDEN_DEPOSIT);
  });
});

const GOLDEN_STREAMS = {
  document: 'school:document:d-1',
  locker: 'school:locker:285226c2-5ce4-82cd-9678-eba01d1da79e',
  settings: 'school:settings',
  directory: 'school:directory',
  mailLease: 'school:mail-lease',
  webhooks: 'school:webhooks',
  erasures: 'school:erasures',
  webhookLease: 'school:webhook-lease',
  sweepLease: 'school:sweep-lease',
  collection: 'school:collection:c-1',
  scans: 'school:scans',
  snapshotLease: '_cell:snapshot-lease',
  schoolMoves: '_cell:school-moves',
};
const GOLDEN_DEPOSIT = {
  ids: ['921ec2ac-7f5c-8db0-9744-7cbe1e19f20b', '549e8f69-66d0-8bed-8dfd-3dafdda7cd22'],
  fingerprint: 'a82e359f-16fa-8199-a3ad-d969d7a4fd30',
  carried: ['4a6c7277-d7dc-897e-8724-f753529510e6', '0ecaf801-c5f6-865d-94f1-2e6033461f3b'],
};
