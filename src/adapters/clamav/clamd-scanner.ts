import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { connect, type Socket } from 'node:net';
import type { ScanError, ScanSession, ScanVerdict, VirusScanner } from '../../application/ports/virus-scanner.js';

/** Where clamd listens: `tcp://host:port` or `unix:///path/to/clamd.ctl`. */
export const clamdAddress = (url: string): { host: string; port: number } | { path: string } => {
  const parsed = new URL(url);
  if (parsed.protocol === 'unix:') return { path: decodeURIComponent(parsed.pathname) };
  if (parsed.protocol === 'tcp:' && parsed.hostname && parsed.port) return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port) };
  throw new Error(`not a clamd address: ${url} (expected tcp://host:port or unix:///path)`);
};

/** clamd's answer to INSTREAM, as the port says it: `stream: OK`, `stream: <signature> FOUND`, or an error, never clean. */
export const verdictOf = (answer: string): ScanVerdict | ScanError => {
  const line = answer.replace(/\0/g, '').trim();
  if (/^stream: OK$/.test(line)) return { infected: false };
  const found = /^stream: (.+) FOUND$/.exec(line);
  if (found) return { infected: true, signature: found[1]! };
  // "INSTREAM size limit exceeded. ERROR" (StreamMaxLength), or any other failure.
  return { code: 'SCANNER_UNAVAILABLE', message: `clamd: ${line || 'no answer'}` };
};

/** Chunks clamd is sent at most: each is framed by its length, and clamd holds one in memory. */
const MAX_CHUNK = 64 * 1024;

/**
 * ClamAV's daemon over its INSTREAM protocol (ADR 46): `zINSTREAM\0`, then chunks each prefixed by
 * their length (4 bytes, big-endian), then a zero length; clamd answers one line. A session opens
 * its own connection; every wait is bounded by `timeoutMs` without an answer, after which the
 * connection is destroyed and the scan is an error.
 */
export const clamdScanner = (url: string, options: { timeoutMs: number }): VirusScanner => {
  const address = clamdAddress(url);
  const open = (): Socket => ('path' in address ? connect(address.path) : connect(address.port, address.host));

  const begin = (): ScanSession => {
    const socket = open();
    let answer = '';
    let failure: ScanError | undefined;
    let broken: string | undefined;
    let settled: ((r: ScanVerdict | ScanError) => void) | undefined;
    const done = new Promise<ScanVerdict | ScanError>((resolve) => (settled = resolve));
    const fail = (message: string) => {
      failure ??= { code: 'SCANNER_UNAVAILABLE', message };
      socket.destroy();
    };
    socket.setTimeout(options.timeoutMs, () => fail(`clamd did not answer within ${options.timeoutMs} ms`));
    // clamd answers, then closes, while bytes may still be on their way (past StreamMaxLength): its
    // answer says more than the broken pipe that follows.
    socket.on('error', (e) => {
      broken ??= `clamd: ${e.message}`;
      socket.destroy();
    });
    socket.on('data', (d) => (answer += d.toString('utf8')));
    socket.on('close', () => settled?.(failure ?? (answer ? verdictOf(answer) : broken ? { code: 'SCANNER_UNAVAILABLE', message: broken } : verdictOf(''))));
    socket.write('zINSTREAM\0');
    // A failed scan takes no more bytes and says why at `finish`: the upload itself goes on.
    const send = (frame: Uint8Array) =>
      new Promise<void>((resolve) => {
        // An answer before the end is a refusal (past StreamMaxLength): nothing more is sent.
        if (failure || broken || answer || socket.destroyed) return resolve();
        socket.write(frame, () => resolve());
      });
    const length = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(n);
      return b;
    };
    return {
      write: async (chunk) => {
        for (let at = 0; at < chunk.length; at += MAX_CHUNK) {
          const part = chunk.subarray(at, Math.min(chunk.length, at + MAX_CHUNK));
          await send(Buffer.concat([length(part.length), part]));
        }
      },
      finish: () =>
        new ResultAsync(
          (async (): Promise<Result<ScanVerdict, ScanError>> => {
            if (!failure && !broken && !socket.destroyed) socket.end(length(0));
            const result = await done;
            return 'code' in result ? err(result) : ok(result);
          })(),
        ),
      abort: () => {
        failure ??= { code: 'SCANNER_UNAVAILABLE', message: 'the scan was dropped' };
        socket.destroy();
      },
    };
  };

  const ping = (): ResultAsync<void, ScanError> =>
    new ResultAsync(
      new Promise<Result<void, ScanError>>((resolve) => {
        const socket = open();
        let answer = '';
        const end = (r: Result<void, ScanError>) => {
          socket.destroy();
          resolve(r);
        };
        const unavailable = (message: string) => end(err({ code: 'SCANNER_UNAVAILABLE', message }));
        socket.setTimeout(options.timeoutMs, () => unavailable(`clamd did not answer within ${options.timeoutMs} ms`));
        socket.on('error', (e) => unavailable(`clamd: ${e.message}`));
        socket.on('data', (d) => (answer += d.toString()));
        socket.on('close', () => (/PONG/.test(answer) ? end(ok(undefined)) : unavailable(`clamd: ${answer.replace(/\0/g, '') || 'no answer'}`)));
        socket.end('zPING\0');
      }),
    );

  return { begin, ping };
};
