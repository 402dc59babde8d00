import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The EICAR test file: harmless, and detected by every scanner as a virus. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

/**
 * Bytes that clamd, given the tests' own signature database, finds anywhere in a file: put in the
 * last megabyte of a large file, they prove the whole stream is scanned.
 */
export const TAIL_MARKER = 'LOCKER-TEST-MALWARE-TAIL-7f3a9c21';

/** Where clamd is, if anywhere: Debian's clamav-daemon puts it in /usr/sbin (`.ci/run` installs it). */
const CLAMD = ['/usr/sbin/clamd', '/usr/bin/clamd'].find((p) => spawnSync(p, ['--version']).status === 0);
export const clamdMissing = CLAMD ? undefined : 'no clamd binary here (apt-get install clamav-daemon)';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(text.includes('PONG')));
    socket.end('zPING\0');
  });

/**
 * A real clamd on 127.0.0.1 and a unix socket, in a child process. No signature mirror is reachable
 * here, so its database is ours: the EICAR test file's MD5, which clamd reports as
 * `Eicar-Test-Signature.UNOFFICIAL`, and `TAIL_MARKER` anywhere in a file (`Locker-Test-Tail.UNOFFICIAL`). `streamMaxBytes` is clamd's StreamMaxLength.
 */
export const startClamd = async (streamMaxBytes = 1024 * 1024, signatures: { tail: boolean } = { tail: true }) => {
  if (!CLAMD) throw new Error(clamdMissing);
  const dir = mkdtempSync(join(tmpdir(), 'locker-clamd-'));
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db', 'test.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature\n');
  // A body signature of our own: the marker's bytes at any offset of any file.
  if (signatures.tail) writeFileSync(join(dir, 'db', 'test.ndb'), `Locker-Test-Tail:0:*:${Buffer.from(TAIL_MARKER).toString('hex')}\n`);
  const port = await freePort();
  const socketPath = join(dir, 'clamd.sock');
  writeFileSync(
    join(dir, 'clamd.conf'),
    [`Foreground yes`, `DatabaseDirectory ${join(dir, 'db')}`, `TCPSocket ${port}`, `TCPAddr 127.0.0.1`, `LocalSocket ${socketPath}`, `StreamMaxLength ${streamMaxBytes}`, `LogFile ${join(dir, 'clamd.log')}`].join('\n'),
  );
  const child: ChildProcess = spawn(CLAMD, [`--config-file=${join(dir, 'clamd.conf')}`], { stdio: 'ignore' });
  for (let i = 0; i < 300 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(port))) throw new Error('clamd did not answer within 30 s');
  return {
    port,
    tcpUrl: `tcp://127.0.0.1:${port}`,
    unixUrl: `unix://${socketPath}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
