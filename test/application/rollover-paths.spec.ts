import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import type { EventStore } from '../../src/application/ports/event-store.js';
import { rollover, SYSTEM_SCOPE } from '../../src/application/use-cases/rollover.js';
import { compose } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';
import { documentsOfYearFromLog } from '../../src/adapters/shared/documents-of-year.js';
import { envelope } from '../../src/application/event-envelope.js';
import type { DocumentEvent } from '../../src/domain/index.js';

const bytes = async function* () {
  yield new TextEncoder().encode('content');
};

describe('rollover on stores without an ordered stream scan (EventStoreDB)', () => {
  it('finds the year’s documents by their first event and reads each stream: same report, same carried documents', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-rollover-paths-'));
    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }));
    try {
      const uc = app.useCases;
      (await uc.syncDirectory({ tenant: 'school', userId: 's', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const admin = { tenant: 'school', userId: 'admin', scopes: [] };
      (await uc.updateSettings(admin, { currentYear: '2025-2026' }))._unsafeUnwrap();
      const category = (await uc.createCategory(admin, 'Minutes'))._unsafeUnwrap().id;
      const anne = { tenant: 'school', userId: 'anne', scopes: [] };
      const live: string[] = [];
      for (let i = 0; i < 12; i++) {
        const checked = (await uc.depositDocument.check(anne, { recipients: { users: i % 4 === 0 ? ['paul'] : ['marc'], classes: [] }, categoryId: category }, undefined))._unsafeUnwrap();
        const doc = (await uc.depositDocument.store(checked, { fileName: `d${i}.txt`, mediaType: 'text/plain', content: bytes(), truncated: () => false }))._unsafeUnwrap().document;
        if (i % 5 === 0) (await uc.deleteForAll(anne, doc.id))._unsafeUnwrap();
        else if (i % 4 !== 0) live.push(doc.id);
      }
      (await uc.syncDirectory({ tenant: 'school', userId: 's', scopes: ['directory:write'] }, { ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'paul'), classes: [] } as never))._unsafeUnwrap();

      const system = { tenant: 'school', userId: 'system', scopes: [SYSTEM_SCOPE] };
      const request = { from: '2025-2026', to: '2026-2027', dryRun: true };
      const withScan = (await rollover(app.deps)(system, request))._unsafeUnwrap();
      // The same store finding a year's documents as EventStoreDB does: the log read for their starts, then each document.
      const plain = Object.assign(Object.create(Object.getPrototypeOf(app.deps.events)), app.deps.events, { readDocumentsOfYear: documentsOfYearFromLog(app.deps.events) }) as EventStore;
      const oneByOne = (await rollover({ ...app.deps, events: plain, impersonalEvents: plain })(system, request))._unsafeUnwrap();
      expect(oneByOne).toEqual(withScan);
      expect(withScan).toMatchObject({ documentsExamined: 12, carried: 7, skipped: { deleted: 3, 'no-recipient-left': 2 } });

      // A store whose scan breaks half-way (a disk error, a thread gone): an error value, not a rejection.
      const breaking = Object.assign(Object.create(Object.getPrototypeOf(app.deps.events)), app.deps.events, {
        readDocumentsOfYear: async function* () {
          yield [];
          throw new Error('disk I/O error');
        },
      }) as EventStore;
      const broken = await rollover({ ...app.deps, events: breaking, impersonalEvents: breaking })(system, request);
      expect(broken._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: 'the event log, while replaying: disk I/O error' });

      // A real run writes its carries together; another run that carried them all meanwhile makes
      // each append fail alone on its no-stream expectation, and each is then decided on what its
      // stream holds: nothing carried twice, the report says they were carried already.
      const batches: number[] = [];
      let raced = false;
      const racing = Object.assign(Object.create(Object.getPrototypeOf(app.deps.events)), app.deps.events, {
        appendMany: async (appends: Parameters<EventStore['appendMany']>[0]) => {
          batches.push(appends.length);
          if (!raced) {
            raced = true;
            const o = await rollover(app.deps)(system, { ...request, dryRun: false });
            if (o.isErr()) throw new Error(JSON.stringify(o.error));
            expect(o.value.carried).toBe(7);
          }
          return app.deps.events.appendMany(appends);
        },
      }) as EventStore;
      const late = (await rollover({ ...app.deps, events: racing })(system, { ...request, dryRun: false }))._unsafeUnwrap();
      expect(batches).toEqual([7]);
      expect(late).toMatchObject({ documentsExamined: 12, carried: 7, alreadyCarried: 7, updated: 0, skipped: { deleted: 3, 'no-recipient-left': 2 } });
      const carriedOver = (await app.deps.events.readAll({ limit: 10_000, types: ['DocumentCarriedOver'] }))._unsafeUnwrap();
      expect(carriedOver).toHaveLength(7);
      expect(new Set(carriedOver.map((e) => e.stream)).size).toBe(7);

      // A rerun writes its updates together too, each at the revision it read; one that another
      // rerun updated meanwhile fails alone, is decided again on what is there, and is not updated twice.
      (await uc.changeDocument(anne, live[0]!, { memo: 'changed after the first run' }))._unsafeUnwrap();
      (await uc.changeDocument(anne, live[1]!, { memo: 'changed too' }))._unsafeUnwrap();
      batches.length = 0;
      raced = false;
      const rr = await rollover({ ...app.deps, events: racing })(system, { ...request, dryRun: false });
      if (rr.isErr()) throw new Error(JSON.stringify(rr.error));
      const rerun = rr.value;
      expect(batches).toEqual([2]);
      expect(rerun).toMatchObject({ carried: 7, alreadyCarried: 7, updated: 0 });
      const memos = (await app.deps.events.readAll({ limit: 10_000, types: ['CarriedDocumentRefreshed'] }))._unsafeUnwrap();
      expect(memos).toHaveLength(2);
      (await uc.changeDocument(anne, live[2]!, { memo: 'changed again' }))._unsafeUnwrap();
      // Undisturbed, the update lands in the batch at the revision read: no append of its own.
      let singles = 0;
      const counting = Object.assign(Object.create(Object.getPrototypeOf(app.deps.events)), app.deps.events, {
        append: (...args: Parameters<EventStore['append']>) => ((singles += 1), app.deps.events.append(...args)),
      }) as EventStore;
      const plainRerun = (await rollover({ ...app.deps, events: counting })(system, { ...request, dryRun: false }))._unsafeUnwrap();
      expect(plainRerun).toMatchObject({ carried: 7, alreadyCarried: 7, updated: 1 });
      expect(singles).toBe(0);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a rollover of more than one commit’s carries (issue 37)', () => {
  it('commits at least 500 carries at a time, asks the directory once a person, and reads its own school’s log only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-rollover-batches-'));
    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }));
    try {
      for (const tenant of ['school', 'other']) (await app.useCases.syncDirectory({ tenant, userId: 's', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const categoryId = (await app.useCases.createCategory({ tenant: 'school', userId: 'admin', scopes: [] }, 'Minutes'))._unsafeUnwrap().id;
      // 1,100 deposits straight into the log, 100 at a time.
      const toEnvelope = envelope('school', app.deps.ids);
      for (let part = 0; part < 11; part += 1) {
        const appends = Array.from({ length: 100 }, (_, i) => {
          const documentId = `doc-${part}-${i}`;
          const event = {
            type: 'DocumentDeposited',
            data: {
              // Half of them to a group as well: its members are asked of the directory too.
              documentId, year: '2026-2027', depositorId: 'anne', title: `Minutes ${i}`, categoryId, memo: null, recipientIds: ['marc', 'paul'], named: ['marc', 'paul'], classes: [], groups: i % 2 === 0 ? ['teachers'] : [],
              content: { version: 1, blobKey: `k/${part}/${i}`, sha256: 'a'.repeat(64), sizeBytes: 1, fileName: 'm.pdf', mediaType: 'application/pdf' }, source: 'upload',
            },
            actor: 'anne',
            at: '2026-12-01T10:00:00.000Z',
          } as DocumentEvent;
          return { stream: app.deps.streams.document('school', documentId), events: [toEnvelope(event)], expected: 'no-stream' as const };
        });
        for (const r of (await app.deps.events.appendMany(appends))._unsafeUnwrap()) r._unsafeUnwrap();
      }
      const commits: number[] = [];
      const events = Object.assign(Object.create(Object.getPrototypeOf(app.deps.events)), app.deps.events, {
        appendMany: (appends: Parameters<EventStore['appendMany']>[0]) => (commits.push(appends.length), app.deps.events.appendMany(appends)),
      }) as EventStore;
      const scanned: unknown[] = [];
      const impersonalEvents = Object.assign(Object.create(Object.getPrototypeOf(app.deps.impersonalEvents)), app.deps.impersonalEvents, {
        readAll: (options: Parameters<EventStore['readAll']>[0]) => (scanned.push(options.tenant), app.deps.impersonalEvents.readAll(options)),
      }) as EventStore;
      const asked = new Map<string, number>();
      const readModels = Object.assign(Object.create(Object.getPrototypeOf(app.deps.readModels)), app.deps.readModels, {
        directoryView: (tenant: string) => {
          const view = app.deps.readModels.directoryView(tenant);
          const count = (key: string) => asked.set(key, (asked.get(key) ?? 0) + 1);
          return { ...view, user: (id: string) => (count(id), view.user(id)), membersOf: (group: Parameters<typeof view.membersOf>[0]) => (count(`group:${group}`), view.membersOf(group)) };
        },
      });
      const system = { tenant: 'school', userId: 'system', scopes: [SYSTEM_SCOPE] };
      const catchUps = vi.spyOn(app.deps.projector, 'catchUp');
      const dry = (await rollover({ ...app.deps, events, impersonalEvents, readModels })(system, { from: '2026-2027', to: '2027-2028', dryRun: true }))._unsafeUnwrap();
      expect([dry.carried, commits.length]).toEqual([1100, 0]);
      // A dry run catches up before it reads, and writes nothing to catch up with after.
      expect(catchUps).toHaveBeenCalledTimes(1);
      asked.clear();
      catchUps.mockClear();
      const report = (await rollover({ ...app.deps, events, impersonalEvents, readModels })(system, { from: '2026-2027', to: '2027-2028', dryRun: false }))._unsafeUnwrap();
      expect(report.carried).toBe(1100);
      // A real one before and at its end, however many commits it takes.
      expect(catchUps).toHaveBeenCalledTimes(2);
      expect(asked.has('group:teachers')).toBe(true);
      expect(commits.reduce((a, b) => a + b, 0)).toBe(1100);
      expect(commits.slice(0, -1).every((n) => n >= 500)).toBe(true);
      // More than one commit: what waits for its commit is bounded, not the whole year.
      expect(commits.length).toBeGreaterThanOrEqual(2);
      expect(commits.length).toBeLessThanOrEqual(3);
      expect(Math.max(...asked.values())).toBe(1);
      expect(scanned.length).toBeGreaterThan(0);
      expect(new Set(scanned)).toEqual(new Set(['school']));
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
