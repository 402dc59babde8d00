import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/adapters/config/config.js';
import { envelope } from '../src/application/event-envelope.js';
import type { DocumentEvent } from '../src/domain/index.js';
import { compose } from '../src/composition/compose.js';
import { schoolDirectory } from '../test/support/harness.js';
import { eventsInLog } from './log-size.js';

const ROOT = join(import.meta.dirname, '..');
const EVENTS_PER_DOCUMENT = 10;

/** A school's year of history: every document deposited, shared, opened, annotated, updated; some deleted. */
export const generate = async (dataDir: string, totalEvents: number) => {
  const app = await compose(loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_LOG_LEVEL: 'silent' }));
  const { deps, useCases: uc } = app;
  (await uc.syncDirectory({ tenant: 'bench', userId: 'setup', scopes: ['directory:write'] }, schoolDirectory as never))._unsafeUnwrap();
  const admin = { tenant: 'bench', userId: 'admin', scopes: [] };
  (await uc.updateSettings(admin, { currentYear: '2025-2026' }))._unsafeUnwrap();
  const category = (await uc.createCategory(admin, 'Minutes'))._unsafeUnwrap().id;
  const toEnvelope = envelope('bench', deps.ids);
  const content = (version: number) => ({ version, blobKey: `bench/${'a'.repeat(64)}`, sha256: 'a'.repeat(64), sizeBytes: 1000, fileName: 'minutes.pdf', mediaType: 'application/pdf' });
  const documents = Math.ceil(totalEvents / EVENTS_PER_DOCUMENT);
  const started = performance.now();
  for (let i = 0; i < documents; i++) {
    const documentId = deps.ids.newId();
    const at = new Date(Date.UTC(2025, 8, 1) + i * 60_000).toISOString();
    const e = (type: string, data: object, actor = 'anne'): DocumentEvent => ({ type, data: { documentId, ...data }, actor, at }) as DocumentEvent;
    const events: DocumentEvent[] = [
      e('DocumentDeposited', { year: '2025-2026', depositorId: 'anne', title: `Minutes ${i}`, categoryId: category, memo: null, recipientIds: ['marc'], named: ['marc'], classes: [], groups: [], content: content(1), source: 'upload' }),
      e('RecipientAdded', { recipientIds: ['sophie'], named: ['sophie'], classes: [], groups: [] }),
      e('RecipientAdded', { recipientIds: ['paul'], named: ['paul'], classes: [], groups: [] }),
      e('DocumentConsulted', { userId: 'marc', version: 1 }, 'marc'),
      e('DocumentConsulted', { userId: 'sophie', version: 1 }, 'sophie'),
      e('MemoChanged', { memo: `Read before council ${i}` }),
      e('DocumentUpdated', { content: content(2) }),
      e('DocumentConsulted', { userId: 'marc', version: 2 }, 'marc'),
      e('DocumentConsulted', { userId: 'paul', version: 2 }, 'paul'),
      i % 10 === 0 ? e('DocumentDeletedForAll', {}) : e('CategoryChanged', { categoryId: category }),
    ];
    (await deps.events.append(deps.streams.document('bench', documentId), events.map(toEnvelope), 'no-stream'))._unsafeUnwrap();
  }
  const generated = (performance.now() - started) / 1000;
  const projectionStarted = performance.now();
  (await deps.projector.catchUp())._unsafeUnwrap();
  const projected = (performance.now() - projectionStarted) / 1000;
  await app.close();
  const events = eventsInLog(dataDir, 'bench');
  return { events, documents, generatedSeconds: generated, readModelEventsPerSecond: Math.round(events / projected) };
};

const worker = (mode: string, dataDir: string) =>
  new Promise<{ events: number; seconds: number; cpuSeconds: number; peakRssMiB: number; detail?: unknown }>((resolve, reject) => {
    // With the flags `locker` runs each with (ADR 28, ADR 36): a rollover as a batch command, an
    // audit with the server's. The raw scan, the baseline of both, runs as the rollover does, so
    // that ratio compares alike; the audit's is then, if anything, the lower.
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/history-worker.ts'), mode, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${mode} worker exited ${code}`))));
  });

/**
 * Rollover and audit replay over a generated history, each next to a raw SQLite scan + JSON.parse
 * of the same rows in the same run, each in its own process for an honest peak RSS.
 */
export const benchHistory = async (sizes: number[]) => {
  const runs = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'locker-bench-history-'));
    try {
      const generated = await generate(dir, size);
      const rate = (r: { events: number; seconds: number }) => Math.round(r.events / r.seconds);
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      // This machine's speed drifts by half within minutes: three rounds, each side right after
      // the other, and the median of the three ratios.
      const rounds = [];
      for (let round = 0; round < 3; round++) {
        const raw = await worker('raw', dir);
        const rollover = await worker('rollover', dir);
        rounds.push({ raw, rollover, ratio: rate(rollover) / rate(raw) });
      }
      const raw = rounds[0]!.raw;
      const verify = await worker('verify', dir);
      const rollover = rounds[rounds.length - 1]!.rollover;
      runs.push({
        events: generated.events,
        documents: generated.documents,
        readModelProjectionEventsPerSecond: generated.readModelEventsPerSecond,
        rawScanJsonParseEventsPerSecond: rounds.map((r) => rate(r.raw)),
        auditVerifyEventsPerSecond: rate(verify),
        auditVerifyRatio: Number((rate(verify) / rate(raw)).toFixed(3)),
        rolloverDryRunEventsPerSecond: rounds.map((r) => rate(r.rollover)),
        rolloverRatios: rounds.map((r) => Number(r.ratio.toFixed(3))),
        rolloverRatio: Number(median(rounds.map((r) => r.ratio)).toFixed(3)),
        // Each process's own CPU time per thousand events: the rate a busy machine cannot move much.
        cpuMsPer1000Events: {
          rawScan: Number(((raw.cpuSeconds * 1e6) / raw.events).toFixed(1)),
          auditVerify: Number(((verify.cpuSeconds * 1e6) / verify.events).toFixed(1)),
          rollover: Number(((rollover.cpuSeconds * 1e6) / rollover.events).toFixed(1)),
        },
        goal: '>= 0.5 (median of three rounds)',
        peakRssMiB: { rawScan: Math.max(...rounds.map((r) => r.raw.peakRssMiB)), auditVerify: verify.peakRssMiB, rollover: Math.max(...rounds.map((r) => r.rollover.peakRssMiB)) },
        rolloverReport: rollover.detail,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runs;
};
