import { errAsync, okAsync } from 'neverthrow';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanVerdict, VirusScanner } from '../../src/application/ports/virus-scanner.js';
import { TOKENS } from '../../src/composition/compose.js';
import { scans } from '../../src/application/use-cases/scans.js';
import { as, embeddedApp, textFile, type EmbeddedApp } from '../support/embedded-app.js';
import { catchUpsDuring } from '../support/catch-ups.js';

// The scanning use cases in process, against a scanner of the test's own that finds "VIRUS" in
// what it is fed, and can be switched off (the HTTP suites run a real clamd).

const fakeScanner = () => {
  const state = { up: true, scanned: 0, knowsTheVirus: true };
  const scanner: VirusScanner = {
    begin: () => {
      let seen = '';
      return {
        write: async (chunk) => void (seen += new TextDecoder().decode(chunk)),
        finish: () => {
          if (!state.up) return errAsync({ code: 'SCANNER_UNAVAILABLE' as const, message: 'down' });
          state.scanned += 1;
          const verdict: ScanVerdict = state.knowsTheVirus && seen.includes('VIRUS') ? { infected: true, signature: 'Test.Virus' } : { infected: false };
          return okAsync(verdict);
        },
        abort: () => undefined,
      };
    },
    ping: () => (state.up ? okAsync(undefined) : errAsync({ code: 'SCANNER_UNAVAILABLE', message: 'down' })),
  };
  return { scanner, state };
};

let app: EmbeddedApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const deposit = async (a: EmbeddedApp, categoryId: string, text: string) => {
  const checked = (await a.useCases.depositDocument.check(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId, title: text }, undefined))._unsafeUnwrap();
  return (await a.useCases.depositDocument.store(checked, textFile(text)))._unsafeUnwrap().document.id;
};

describe('scanning stored bytes', () => {
  it('without a scanner: nothing pending to scan, and a rescan says none is configured', async () => {
    app = await embeddedApp();
    expect((await app.useCases.scans.scanPending())._unsafeUnwrap()).toEqual({ scanned: 0, cleared: 0, quarantined: 0, failed: 0 });
    expect((await app.useCases.scans.rescan({}))._unsafeUnwrapErr()).toMatchObject({ code: 'SCANNER_UNAVAILABLE' });
  });

  it('what was accepted unscanned waits while the scanner is down, then is cleared or quarantined; a missing blob is counted, not fatal', async () => {
    const { scanner, state } = fakeScanner();
    app = await embeddedApp({ env: { LOCKER_SCAN_REQUIRED: 'false' }, overrides: (c) => c.register(TOKENS.Scanner, { useValue: scanner }) });
    const categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    state.up = false;
    const clean = await deposit(app, categoryId, 'clean minutes');
    const infected = await deposit(app, categoryId, 'a VIRUS inside');
    const lost = await deposit(app, categoryId, 'its bytes go missing');
    expect((await app.useCases.downloadDocument(as('marc'), clean, {}))._unsafeUnwrapErr().code).toBe('SCAN_PENDING');
    // Still down: the run stops at the first and says why; nothing is recorded.
    expect((await app.useCases.scans.scanPending())._unsafeUnwrapErr()).toMatchObject({ code: 'SCANNER_UNAVAILABLE' });
    expect(app.deps.readModels.pendingScans(10)).toHaveLength(3);
    const lostVersion = app.deps.readModels.pendingScans(10).find((v) => v.documentId === lost)!;
    (await app.deps.blobs.delete(lostVersion.blobKey))._unsafeUnwrap();
    state.up = true;
    expect((await app.useCases.scans.scanPending())._unsafeUnwrap()).toEqual({ scanned: 2, cleared: 1, quarantined: 1, failed: 1 });
    expect(app.deps.readModels.pendingScans(10).map((v) => v.documentId)).toEqual([lost]);
    expect((await app.useCases.downloadDocument(as('marc'), clean, {})).isOk()).toBe(true);
    expect((await app.useCases.downloadDocument(as('marc'), infected, {}))._unsafeUnwrapErr().code).toBe('QUARANTINED');
    const quarantined = (await app.useCases.scans.quarantine(as('admin'), { limit: 10 }))._unsafeUnwrap();
    expect(quarantined.items.map((q) => [q.documentId, q.signature])).toEqual([[infected, 'Test.Virus']]);
    expect((await app.useCases.scans.quarantine(as('anne'), { limit: 10 }))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    expect((await app.useCases.scans.refusedUploads(as('anne'), { limit: 10 }))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    expect((await app.useCases.scans.refusedUploads(as('admin'), { limit: 10 }))._unsafeUnwrap().items).toEqual([]);
  });

  it('a rescan reads every stored version a page at a time, says its progress after each, and quarantines what today’s signatures find', async () => {
    const { scanner, state } = fakeScanner();
    app = await embeddedApp({ overrides: (c) => c.register(TOKENS.Scanner, { useValue: scanner }) });
    const categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    // 201 versions: one more than a page, the last one holding what a new signature finds.
    for (let batch = 0; batch < 10; batch++) {
      const checked = (await app.useCases.depositDocument.check(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId }, undefined))._unsafeUnwrap();
      const files = Array.from({ length: 20 }, (_, i) => textFile(`file ${batch}-${i}`, false, `f${batch}-${i}.txt`));
      let next = 0;
      (await app.useCases.depositDocument.storeAll(checked, async () => files[next++]))._unsafeUnwrap();
    }
    state.knowsTheVirus = false;
    const last = await deposit(app, categoryId, 'a VIRUS the old signatures missed');
    state.knowsTheVirus = true;
    const scannedAtDeposit = state.scanned;
    const progress: number[] = [];
    const run = (await app.useCases.scans.rescan({ tenant: 'school' }, (r) => progress.push(r.scanned)))._unsafeUnwrap();
    expect(run).toEqual({ scanned: 201, cleared: 0, quarantined: 1, failed: 0 });
    expect(progress).toEqual([200, 201]);
    expect(state.scanned - scannedAtDeposit).toBe(201);
    expect((await app.useCases.downloadDocument(as('marc'), last, {}))._unsafeUnwrapErr().code).toBe('QUARANTINED');
    // Another school's versions are not this school's rescan.
    expect((await app.useCases.scans.rescan({ tenant: 'elsewhere' }))._unsafeUnwrap()).toEqual({ scanned: 0, cleared: 0, quarantined: 0, failed: 0 });
    // A scanner gone in the middle stops the run with its error, after the first page's progress (issue 37).
    const gone = { ...scanner, begin: () => (state.scanned >= scannedAtDeposit + 201 + 150 ? ((state.up = false), scanner.begin()) : scanner.begin()) };
    const halfway: number[] = [];
    const stopped = await scans({ ...app.deps, scanner: gone }).rescan({ tenant: 'school' }, (r) => halfway.push(r.scanned));
    expect(stopped._unsafeUnwrapErr()).toMatchObject({ code: 'SCANNER_UNAVAILABLE' });
    expect(halfway).toEqual([]);
    state.up = true;
  });
  it('one version pending or three: the read models catch up as often (issue 37)', async () => {
    const { scanner, state } = fakeScanner();
    app = await embeddedApp({ env: { LOCKER_SCAN_REQUIRED: 'false' }, overrides: (c) => c.register(TOKENS.Scanner, { useValue: scanner }) });
    const a = app;
    const categoryId = (await a.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    const round = async (n: number) => {
      state.up = false;
      for (let i = 0; i < n; i += 1) await deposit(a, categoryId, `minutes ${i}`);
      state.up = true;
      const { count, value } = await catchUpsDuring(a.deps.projector, async () => (await a.useCases.scans.scanPending())._unsafeUnwrap());
      return { cleared: value.cleared, count };
    };
    const one = await round(1);
    const three = await round(3);
    expect([one.cleared, three.cleared]).toEqual([1, 3]);
    expect(three.count).toBe(one.count);
  });
  it('readiness asks the scanner where one is configured (issue 37)', async () => {
    const { scanner, state } = fakeScanner();
    app = await embeddedApp({ overrides: (c) => c.register(TOKENS.Scanner, { useValue: scanner }) });
    expect((await app.useCases.ready()).isOk()).toBe(true);
    state.up = false;
    expect((await app.useCases.ready())._unsafeUnwrapErr()).toEqual([{ code: 'SCANNER_UNAVAILABLE', message: 'down' }]);
  });
  it('a school being imported has its pending versions left for after the import (ADR 54)', async () => {
    const { scanner, state } = fakeScanner();
    app = await embeddedApp({ env: { LOCKER_SCAN_REQUIRED: 'false' }, overrides: (c) => c.register(TOKENS.Scanner, { useValue: scanner }) });
    const categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    state.up = false;
    await deposit(app, categoryId, 'scanned after the move');
    state.up = true;
    (await app.useCases.schoolMoves.started('school'))._unsafeUnwrap();
    expect((await app.useCases.scans.scanPending())._unsafeUnwrap()).toEqual({ scanned: 0, cleared: 0, quarantined: 0, failed: 0 });
    (await app.useCases.schoolMoves.finished('school'))._unsafeUnwrap();
    expect((await app.useCases.scans.scanPending())._unsafeUnwrap()).toEqual({ scanned: 1, cleared: 1, quarantined: 0, failed: 0 });
  });
});
