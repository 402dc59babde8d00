import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clamdMissing, EICAR, startClamd, TAIL_MARKER } from '../support/clamd-server.js';
import { startSchool } from '../support/harness.js';

/** A port in front of clamd that the test turns off and on: the scanner down, then back. */
const startSwitch = async () => {
  let target: number | undefined;
  const sockets = new Set<Socket>();
  // Half-open: the client ends its stream, then reads clamd's answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (target === undefined) return void socket.destroy();
    const upstream = connect({ port: target, host: '127.0.0.1', allowHalfOpen: true });
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `tcp://127.0.0.1:${(server.address() as { port: number }).port}`,
    to: (port: number | undefined) => void (target = port),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

describe.skipIf(clamdMissing !== undefined)('files scanned later (LOCKER_SCAN_REQUIRED=false), and again when signatures change (issue 34)', () => {
  let school: Awaited<ReturnType<typeof startSchool>>;
  let gate: Awaited<ReturnType<typeof startSwitch>>;
  let clamd: Awaited<ReturnType<typeof startClamd>> | undefined;
  const meta = () => ({ recipients: { users: ['marc'] }, categoryId: school.category });
  const download = (id: string, as = 'marc') => school.h.request('GET', `/v1/documents/${id}/content`, { as });

  beforeAll(async () => {
    gate = await startSwitch();
    school = await startSchool({ LOCKER_CLAMD_URL: gate.url, LOCKER_SCAN_REQUIRED: 'false', LOCKER_SCAN_TIMEOUT_MS: '2000' });
  }, 60_000);
  afterAll(async () => {
    await school?.h.stop();
    await gate?.stop();
    await clamd?.stop();
  });

  it('with the scanner down, a file is accepted but held (409) from everyone until a scan clears it or quarantines it', async () => {
    const clean = (await school.h.deposit('anne', meta(), { name: 'clean.txt', content: 'nothing to see' })).json;
    const infected = (await school.h.deposit('anne', meta(), { name: 'invoice.pdf', content: EICAR })).json;
    for (const id of [clean.id, infected.id]) {
      const held = await download(id);
      expect([held.status, held.json.code]).toEqual([409, 'SCAN_PENDING']);
      expect((await download(id, 'anne')).status).toBe(409);
    }
    // Still down: the job leaves them for its next run.
    expect((await school.h.running.app.useCases.scans.scanPending())._unsafeUnwrapErr()).toMatchObject({ code: 'SCANNER_UNAVAILABLE' });

    clamd = await startClamd(8 * 1024 * 1024, { tail: false });
    gate.to(clamd.port);
    const pending = await school.h.running.app.useCases.scans.scanPending();
    expect(pending.isOk() ? pending.value : pending.error).toMatchObject({ scanned: 2, cleared: 1, quarantined: 1 });
    expect((await download(clean.id)).text).toBe('nothing to see');
    const refused = await download(infected.id);
    expect([refused.status, refused.json.code, refused.json.signature]).toEqual([409, 'QUARANTINED', expect.stringMatching(/^Eicar/)]);
    // The admins see it in quarantine and were told; so was its depositor.
    const quarantine = (await school.h.request('GET', '/v1/admin/quarantine', { as: 'admin' })).json.items;
    expect(quarantine).toEqual([expect.objectContaining({ documentId: infected.id, version: 1, fileName: 'invoice.pdf', depositorId: 'anne', signature: expect.stringMatching(/^Eicar/) })]);
    expect((await school.h.request('GET', '/v1/admin/quarantine', { as: 'marc' })).status).toBe(403);
    for (const who of ['admin', 'anne']) {
      const kinds = (await school.h.request('GET', '/v1/notifications', { as: who })).json.items.map((n: { kind: string; documentId: string }) => `${n.kind}:${n.documentId}`);
      expect(kinds, who).toContain(`quarantined:${infected.id}`);
    }
  });

  it('signatures change: `locker scan` finds what was clean before, and quarantines it', async () => {
    const bytes = new TextEncoder().encode(`a report ${TAIL_MARKER} with a surprise`);
    const doc = (await school.h.deposit('anne', meta(), { name: 'report.txt', content: bytes })).json;
    expect((await download(doc.id)).status).toBe(200);
    // The same clamd, given a signature it did not have.
    await clamd!.stop();
    clamd = await startClamd(8 * 1024 * 1024, { tail: true });
    gate.to(clamd.port);
    const seen: number[] = [];
    const run = (await school.h.running.app.useCases.scans.rescan({ tenant: 'school' }, (p) => seen.push(p.scanned)))._unsafeUnwrap();
    expect(run).toMatchObject({ quarantined: 1, failed: 0 });
    expect(run.scanned).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toBe(run.scanned);
    const refused = await download(doc.id);
    expect([refused.status, refused.json.code, refused.json.signature]).toEqual([409, 'QUARANTINED', expect.stringMatching(/^Locker-Test-Tail/)]);
    // Run again: nothing found twice.
    expect((await school.h.running.app.useCases.scans.rescan({ tenant: 'school' }))._unsafeUnwrap()).toMatchObject({ quarantined: 0 });
  });
});

describe('a silent scanner, when scans are not required', () => {
  it('bounded by its timeout: the file is accepted and held until scanned', async () => {
    const { startBlackHole } = await import('../support/black-hole.js');
    const hole = await startBlackHole();
    const school = await startSchool({ LOCKER_CLAMD_URL: `tcp://127.0.0.1:${hole.port}`, LOCKER_SCAN_REQUIRED: 'false', LOCKER_SCAN_TIMEOUT_MS: '300' });
    try {
      const doc = await school.h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: school.category }, { name: 'a.txt', content: 'hello' });
      expect(doc.status).toBe(201);
      const held = await school.h.request('GET', `/v1/documents/${doc.json.id}/content`, { as: 'marc' });
      expect([held.status, held.json.code, held.headers.get('retry-after')]).toEqual([409, 'SCAN_PENDING', '60']);
    } finally {
      await school.h.stop();
      await hole.stop();
    }
  });
});
