import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { envelope } from '../../src/application/event-envelope.js';
import { documentDecider, viewOf } from '../../src/domain/index.js';
import { compose } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

const BIN = join(import.meta.dirname, '../../bin/locker.js');
const dataDir = mkdtempSync(join(tmpdir(), 'locker-rollover-'));
const DOCUMENTS = 3000;
const env = { PATH: process.env.PATH, LOCKER_DATA_DIR: dataDir, LOCKER_LOG_LEVEL: 'silent', LOCKER_JWT_SECRET: 'x'.repeat(40) };

const run = (args: string[], opts: { killWhen?: (stderr: string) => boolean } = {}) =>
  new Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (opts.killWhen?.(stderr)) child.kill('SIGKILL');
    });
    child.on('exit', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });

const carriedSoFar = () => {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
  try {
    const rows = db.prepare("SELECT json_extract(data, '$.sourceDocumentId') AS source FROM events WHERE type = 'DocumentCarriedOver'").all() as { source: string }[];
    return { total: rows.length, distinct: new Set(rows.map((r) => r.source)).size };
  } finally {
    db.close();
  }
};

/** A year of deposits written straight through the domain and the store: fast enough for thousands. */
beforeAll(async () => {
  const app = await compose(loadConfig({ ...env, LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }));
  const uc = app.useCases;
  const system = { tenant: 'school', userId: 'setup', scopes: ['directory:write'] };
  (await uc.syncDirectory(system, schoolDirectory))._unsafeUnwrap();
  const admin = { tenant: 'school', userId: 'admin', scopes: [] };
  (await uc.updateSettings(admin, { currentYear: '2025-2026' }))._unsafeUnwrap();
  const category = (await uc.createCategory(admin, 'Minutes'))._unsafeUnwrap();
  const staged = (await app.deps.blobs.stage('school', (async function* () {
    yield new TextEncoder().encode('minutes');
  })(), 100))._unsafeUnwrap();
  (await staged.commit())._unsafeUnwrap();
  const directory = viewOf(schoolDirectory);
  const settings = { categories: new Map([[category.id, category]]), maxDocumentBytes: 100, currentYear: '2025-2026' };
  for (let i = 0; i < DOCUMENTS; i++) {
    const documentId = app.deps.ids.newId();
    const events = documentDecider.decide(documentDecider.initialState, {
      type: 'Deposit',
      context: { directory, settings, maxDocumentBytes: 100, year: '2025-2026' },
      actorId: 'anne',
      at: new Date().toISOString(),
      documentId,
      recipients: { users: ['marc', 'sophie'], classes: [] },
      categoryId: category.id,
      title: `Minutes ${i}`,
      memo: null,
      file: { blobKey: staged.key, sha256: staged.sha256, sizeBytes: staged.sizeBytes, fileName: 'minutes.txt', mediaType: 'text/plain' },
    })._unsafeUnwrap();
    (await app.deps.events.append(app.deps.streams.document('school', documentId), events.map(envelope('school', app.deps.ids)), 'no-stream'))._unsafeUnwrap();
  }
  await app.close();
}, 120_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('locker rollover', () => {
  it('a dry run reports the numbers and writes nothing', async () => {
    // Carried by the kill test or not, a dry run says all are carried and writes nothing.
    const before = carriedSoFar();
    const r = await run(['rollover', '--tenant', 'school', '--from', '2025-2026', '--to', '2026-2027', '--dry-run']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: true, carried: DOCUMENTS, alreadyCarried: before.total });
    expect(r.stderr).toMatch(/rollover 2025-2026 → 2026-2027 \(dry run\): \d+\/3000 documents/);
    // The progress reaches its total: it counts what the rollover actually goes through.
    expect(r.stderr).toMatch(/: 3000\/3000 documents/);
    expect(carriedSoFar()).toEqual(before);
  });

  it('killed with -9 half-way, a rerun completes without duplicates and misses nothing', { timeout: 120_000 }, async () => {
    const killed = await run(['rollover', '--tenant', 'school', '--from', '2025-2026', '--to', '2026-2027'], {
      // The first progress line of the carrying phase: a second into it, far from done.
      killWhen: (stderr) => /[1-9]\d*\/3000 documents/.test(stderr),
    });
    const afterKill = carriedSoFar();
    console.info(`rollover killed by ${killed.signal ?? `exit ${killed.status}`} after carrying ${afterKill.total} of ${DOCUMENTS}`);
    // The kill did happen, part-way: otherwise this test would prove nothing about a crash.
    expect(killed.signal).toBe('SIGKILL');
    expect(afterKill.total).toBeLessThan(DOCUMENTS);
    expect(afterKill.total).toBe(afterKill.distinct);

    const rerun = await run(['rollover', '--tenant', 'school', '--from', '2025-2026', '--to', '2026-2027']);
    expect(rerun.status).toBe(0);
    const report = JSON.parse(rerun.stdout);
    expect(report).toMatchObject({ carried: DOCUMENTS, alreadyCarried: afterKill.total });
    expect(carriedSoFar()).toEqual({ total: DOCUMENTS, distinct: DOCUMENTS });

    const again = await run(['rollover', '--tenant', 'school', '--from', '2025-2026', '--to', '2026-2027']);
    expect(JSON.parse(again.stdout)).toMatchObject({ carried: DOCUMENTS, alreadyCarried: DOCUMENTS });
    expect(carriedSoFar()).toEqual({ total: DOCUMENTS, distinct: DOCUMENTS });
  });
});

describe('locker audit', () => {
  it('verify passes on an intact log, names the first changed event, and passes again once it is put back', async () => {
    const ok = await run(['audit', 'verify', '--tenant', 'school']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ broken: null });

    const db = new Database(join(dataDir, 'events.sqlite'));
    const victim = db.prepare("SELECT position, event_id, data FROM events WHERE type = 'DocumentDeposited' LIMIT 1 OFFSET 10").get() as { position: number; event_id: string; data: string };
    const i = victim.data.indexOf('Minutes');
    const tampered = `${victim.data.slice(0, i)}N${victim.data.slice(i + 1)}`;
    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(tampered, victim.position);
    const broken = await run(['audit', 'verify']);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`broken chain at event ${victim.event_id} (position ${victim.position}`);
    expect(broken.stderr).toContain('does not match its hash');

    db.prepare('UPDATE events SET data = ? WHERE position = ?').run(victim.data, victim.position);
    db.close();
    expect((await run(['audit', 'verify'])).status).toBe(0);
  });

  it('export streams the history as one JSON event a line', async () => {
    const r = await run(['audit', 'export', '--tenant', 'school']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(DOCUMENTS);
    expect(lines[0]).toMatchObject({ type: 'DirectorySynced', tenant: 'school' });
    const none = await run(['audit', 'export', '--tenant', 'school', '--to', '2000-01-01']);
    expect(none.stdout).toBe('');
    expect((await run(['audit', 'export', '--tenant', 'school', '--from', 'someday'])).status).toBe(2);
  });
});
