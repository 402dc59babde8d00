import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteReadModels } from '../../src/adapters/sqlite/sqlite-read-models.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

let position = 0n;
const recorded = (tenant: string, type: string, data: Record<string, unknown>): RecordedEvent => {
  position += 1n;
  return { id: `e${position}`, stream: `${tenant}:document:${String(data['documentId'])}`, revision: 0, position, prevHash: '', hash: '', type, data, meta: { actor: 'anne', at: '2026-12-01T10:00:00.000Z', tenant, schemaVersion: 3 } };
};
const deposited = (tenant: string, documentId: string, title: string) =>
  recorded(tenant, 'DocumentDeposited', {
    documentId, year: '2026-2027', depositorId: 'anne', title, categoryId: 'c', memo: null, recipientIds: ['marc'], named: ['marc'], classes: [], groups: [],
    content: { version: 1, blobKey: 'k', sha256: 'a'.repeat(64), sizeBytes: 1, fileName: 'f.pdf', mediaType: 'application/pdf' }, source: 'upload',
  });

describe('locker pages are answered from memory only while nothing of their tenant has moved', () => {
  it('a change projected by another process on the same file (the CLI beside the server) is seen from the next turn of the event loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
    dirs.push(dir);
    const server = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    const cli = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    const page = () => server.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.title);
    server.apply([deposited('school', 'd1', 'Minutes')]);
    expect(page()).toEqual(['Minutes']);
    expect(page()).toEqual(['Minutes']);
    cli.apply([deposited('school', 'd2', 'Timetable'), recorded('school', 'MemoChanged', { documentId: 'd1', memo: 'read me' })]);
    // Within the turn the server read the tenant's version in, it answers as it would have a
    // moment earlier: the version is one statement a turn, not one a lookup.
    expect(page()).toEqual(['Minutes']);
    await nextTurn();
    expect(page()).toEqual(['Timetable', 'Minutes']);
    cli.apply([recorded('school', 'DocumentRemovedFromLocker', { documentId: 'd2', userId: 'marc' })]);
    await nextTurn();
    expect(page()).toEqual(['Minutes']);
    server.close();
    cli.close();
  });

  it('a change projected on the same connection is seen at once, in the same turn (read-your-writes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
    dirs.push(dir);
    const rm = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    rm.apply([deposited('school', 'd1', 'Minutes')]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.title)).toEqual(['Minutes']);
    expect(rm.settings('school').currentYear).toBeNull();
    rm.apply([deposited('school', 'd2', 'Timetable'), recorded('school', 'CurrentYearSet', { year: '2027-2028' })]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.title)).toEqual(['Timetable', 'Minutes']);
    expect(rm.settings('school').currentYear).toBe('2027-2028');
    rm.close();
  });

  it('another tenant’s events leave a tenant’s pages as they are, and its own change them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
    dirs.push(dir);
    const rm = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    rm.apply([deposited('school', 'd1', 'Minutes'), deposited('other', 'd9', 'Elsewhere')]);
    const first = rm.locker('school', 'marc', {}, { limit: 20 });
    rm.apply([deposited('other', 'd10', 'Still elsewhere')]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 })).toBe(first);
    rm.apply([recorded('school', 'DocumentDeletedForAll', { documentId: 'd1' })]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 }).items).toEqual([]);
    expect(rm.locker('other', 'marc', {}, { limit: 20 }).items.map((i) => i.title)).toEqual(['Still elsewhere', 'Elsewhere']);
    rm.close();
  });
});
