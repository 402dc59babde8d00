import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clamdAddress, clamdScanner, verdictOf } from '../../src/adapters/clamav/clamd-scanner.js';
import type { VirusScanner } from '../../src/application/ports/virus-scanner.js';
import { createServer, type Socket } from 'node:net';
import { clamdMissing, EICAR, startClamd } from '../support/clamd-server.js';

if (clamdMissing) console.log(`clamd-scanner.spec: ${clamdMissing}: the scans against a real clamd are skipped`);

/** A file fed to the scanner in chunks of `size`, as an upload feeds it. */
const scan = async (scanner: VirusScanner, bytes: Uint8Array, size = 16 * 1024) => {
  const session = scanner.begin();
  for (let at = 0; at < bytes.length; at += size) await session.write(bytes.subarray(at, at + size));
  return session.finish();
};

describe.skipIf(clamdMissing !== undefined)('the clamd scanner against a real clamd (issue 34)', () => {
  let clamd: Awaited<ReturnType<typeof startClamd>>;
  beforeAll(async () => {
    clamd = await startClamd(1024 * 1024);
  }, 60_000);
  afterAll(() => clamd?.stop());

  it.each(['tcpUrl', 'unixUrl'] as const)('over %s: an infected file is named by its signature, a clean one is clean, and clamd answers a ping', async (which) => {
    const scanner = clamdScanner(clamd[which], { timeoutMs: 5000 });
    expect((await scan(scanner, Buffer.from(EICAR)))._unsafeUnwrap()).toEqual({ infected: true, signature: 'Eicar-Test-Signature.UNOFFICIAL' });
    expect((await scan(scanner, Buffer.from('Minutes of the 3rd term council')))._unsafeUnwrap()).toEqual({ infected: false });
    expect((await scanner.ping()).isOk()).toBe(true);
  });

  it('a clean file of many chunks, larger than one frame, is read whole and clean', async () => {
    const scanner = clamdScanner(clamd.tcpUrl, { timeoutMs: 5000 });
    const bytes = randomBytes(700 * 1024);
    expect(createHash('sha256').update(bytes).digest('hex')).toHaveLength(64);
    expect((await scan(scanner, bytes, 100 * 1024))._unsafeUnwrap()).toEqual({ infected: false });
  });

  it('a file over clamd’s StreamMaxLength is a scanner failure, never clean', async () => {
    const scanner = clamdScanner(clamd.tcpUrl, { timeoutMs: 5000 });
    const result = await scan(scanner, randomBytes(2 * 1024 * 1024), 256 * 1024);
    // clamd says why and closes; bytes still on their way may meet the closed socket first.
    expect(result._unsafeUnwrapErr()).toMatchObject({ code: 'SCANNER_UNAVAILABLE', message: expect.stringMatching(/size limit exceeded|EPIPE|ECONNRESET/) });
  });

  it('a scan dropped half-way is never a verdict', async () => {
    const scanner = clamdScanner(clamd.tcpUrl, { timeoutMs: 5000 });
    const session = scanner.begin();
    await session.write(Buffer.from(EICAR.slice(0, 20)));
    session.abort();
    expect((await session.finish())._unsafeUnwrapErr()).toMatchObject({ code: 'SCANNER_UNAVAILABLE' });
  });
});

describe('the clamd scanner when clamd does not answer', () => {
  it('a scan and a ping that meet silence fail within the timeout, their connections closed', async () => {
    // Silent even once the client has said all it had to say (half-open, as clamd is while it scans).
    const open = new Set<Socket>();
    const all = new Set<Socket>();
    const silent = createServer({ allowHalfOpen: true }, (socket) => {
      open.add(socket);
      all.add(socket);
      socket.resume();
      // The client's end or reset is what a closed connection looks like from here.
      socket.on('end', () => open.delete(socket));
      socket.on('close', () => open.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hole = { port: (silent.address() as { port: number }).port, get open() { return open.size; }, stop: () => new Promise<void>((resolve) => (all.forEach((s) => s.destroy()), silent.close(() => resolve()))) };
    try {
      const scanner = clamdScanner(`tcp://127.0.0.1:${hole.port}`, { timeoutMs: 300 });
      const started = Date.now();
      expect((await scan(scanner, Buffer.from('x')))._unsafeUnwrapErr()).toEqual({ code: 'SCANNER_UNAVAILABLE', message: 'clamd did not answer within 300 ms' });
      expect((await scanner.ping())._unsafeUnwrapErr()).toEqual({ code: 'SCANNER_UNAVAILABLE', message: 'clamd did not answer within 300 ms' });
      expect(Date.now() - started).toBeLessThan(3000);
      for (let i = 0; i < 50 && hole.open > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(hole.open).toBe(0);
    } finally {
      await hole.stop();
    }
  });

  it('nobody listening is a failure too, never clean', async () => {
    const scanner = clamdScanner('tcp://127.0.0.1:1', { timeoutMs: 1000 });
    expect((await scan(scanner, Buffer.from('x')))._unsafeUnwrapErr()).toMatchObject({ code: 'SCANNER_UNAVAILABLE' });
  });
});

describe('clamd’s answers and addresses', () => {
  it('reads OK, FOUND and anything else as an error', () => {
    expect(verdictOf('stream: OK\0')).toEqual({ infected: false });
    expect(verdictOf('stream: Win.Test.EICAR_HDB-1 FOUND\0')).toEqual({ infected: true, signature: 'Win.Test.EICAR_HDB-1' });
    expect(verdictOf('INSTREAM size limit exceeded. ERROR\0')).toEqual({ code: 'SCANNER_UNAVAILABLE', message: 'clamd: INSTREAM size limit exceeded. ERROR' });
    expect(verdictOf('')).toEqual({ code: 'SCANNER_UNAVAILABLE', message: 'clamd: no answer' });
  });

  it('takes tcp:// and unix:// addresses, and refuses anything else', () => {
    expect(clamdAddress('tcp://127.0.0.1:3310')).toEqual({ host: '127.0.0.1', port: 3310 });
    expect(clamdAddress('tcp://[::1]:3310')).toEqual({ host: '::1', port: 3310 });
    expect(clamdAddress('unix:///run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
    expect(() => clamdAddress('http://127.0.0.1:3310')).toThrow(/not a clamd address/);
    expect(() => clamdAddress('tcp://127.0.0.1')).toThrow(/not a clamd address/);
  });
});
