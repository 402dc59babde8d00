import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteReadModels } from '../../src/adapters/sqlite/sqlite-read-models.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { BatchWriter } from '../../src/adapters/sqlite/read-model-rebuild.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

let position = 0n;
const recorded = (type: string, data: Record<string, unknown>): RecordedEvent => {
  position += 1n;
  return { id: `e${position}`, stream: `school:document:${String(data['documentId'])}`, revision: 0, position, prevHash: '', hash: '', type, data, meta: { actor: 'anne', at: '2026-12-01T10:00:00.000Z', tenant: 'school', schemaVersion: 3 } };
};
const deposited = (documentId: string, title: string) =>
  recorded('DocumentDeposited', {
    documentId, year: '2026-2027', depositorId: 'anne', title, categoryId: 'c', memo: null, recipientIds: ['marc'], named: ['marc'], classes: [], groups: [],
    content: { version: 1, blobKey: 'k', sha256: 'a'.repeat(64), sizeBytes: 1, fileName: 'f.pdf', mediaType: 'application/pdf' }, source: 'upload',
  });

/** Files of the folder some descriptor of this process (any thread's) still has open. */
const openIn = (dir: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  });

/** Hands the events over, then commits them. */
const written = (writer: BatchWriter, events: readonly RecordedEvent[]) => {
  writer.stage(events);
  return writer.commit();
};

const readModelsIn = () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-projection-thread-'));
  dirs.push(dir);
  return { dir, readModels: openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true }) };
};

describe('the rebuild’s writer thread', () => {
  it('writes batches in order on its own connection, checkpoint included; once closed, it holds no file of the folder', async () => {
    const { dir, readModels } = readModelsIn();
    const writer = readModels.writerThread!();
    const first = [deposited('d1', 'Minutes'), deposited('d2', 'Timetable')];
    const second = [recorded('MemoChanged', { documentId: 'd1', memo: 'read me' }), recorded('DocumentDeletedForAll', { documentId: 'd2' })];
    // Both in flight at once, as a rebuild has them.
    await Promise.all([written(writer, first), written(writer, second)]);
    await writer.close();
    expect(readModels.checkpoint()).toBe(second[1]!.position);
    expect(readModels.document('school', 'd1')).toMatchObject({ title: 'Minutes', memo: 'read me', deleted: false });
    expect(readModels.document('school', 'd2')).toMatchObject({ deleted: true });
    expect(readModels.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.title)).toEqual(['Minutes']);
    await readModels.close();
    expect(openIn(dir)).toEqual([]);
  });

  it('applies what was staged since the last commit in one transaction, after its reset; nothing staged is seen before its commit, nor ever if none comes', async () => {
    const { readModels } = readModelsIn();
    readModels.apply([deposited('old', 'From before the rebuild')]);
    const writer = readModels.writerThread!();
    await writer.reset();
    expect(readModels.document('school', 'old')).toBeUndefined();
    writer.stage([deposited('d1', 'Minutes')]);
    writer.stage([deposited('d2', 'Timetable'), recorded('MemoChanged', { documentId: 'd1', memo: 'read me' })]);
    // Staged, not committed: another connection sees nothing of it yet.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readModels.document('school', 'd1')).toBeUndefined();
    await writer.commit();
    expect(readModels.document('school', 'd1')).toMatchObject({ memo: 'read me' });
    expect(readModels.document('school', 'd2')).toMatchObject({ title: 'Timetable' });
    writer.stage([deposited('d3', 'Staged, never committed')]);
    await writer.close();
    expect(readModels.document('school', 'd3')).toBeUndefined();
    await readModels.close();
  });

  it('a command reading right after a commit sees it: the caller’s connection forgets what it cached of the tenants’ versions before the commit is answered', async () => {
    const { readModels } = readModelsIn();
    // Nothing clears the per-turn cache of the tenants' versions but a commit's answer.
    vi.useFakeTimers({ toFake: ['setImmediate'] });
    try {
      expect(readModels.tenantPosition('school')).toBe(0n);
      const writer = readModels.writerThread!();
      const events = [deposited('d1', 'Minutes')];
      await written(writer, events);
      expect(readModels.tenantPosition('school')).toBe(events[0]!.position);
      await writer.close();
    } finally {
      vi.useRealTimers();
    }
    await readModels.close();
  });

  it('a batch that fails is refused with its reason, and so is every batch after it, unapplied: none passes the checkpoint over the failed one', async () => {
    const { readModels } = readModelsIn();
    const writer = readModels.writerThread!();
    await written(writer, [deposited('d1', 'Minutes')]);
    const reached = readModels.checkpoint();
    // A deposit without its content cannot be projected.
    const broken = recorded('DocumentDeposited', { documentId: 'd2', year: '2026-2027', depositorId: 'anne', title: 'Broken', categoryId: 'c', memo: null, recipientIds: [], named: [], classes: [], groups: [] });
    const outcomes = await Promise.allSettled([written(writer, [broken]), written(writer, [deposited('d3', 'After')])]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/version/);
    await expect(written(writer, [deposited('d4', 'Later still')])).rejects.toThrow();
    await writer.close();
    expect(readModels.checkpoint()).toBe(reached);
    expect(readModels.document('school', 'd3')).toBeUndefined();
    await readModels.close();
  });

  it('an in-memory database has no writer thread (another connection could not see it)', async () => {
    const readModels = openSqliteReadModels(':memory:', { mail: true });
    expect(readModels.writerThread).toBeUndefined();
    await readModels.close();
  });
});
