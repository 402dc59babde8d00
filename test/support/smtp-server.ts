import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { listeningUrl } from './listening.js';

export type Received = ParsedMail & { envelopeTo: string[] };

/** A real SMTP server on 127.0.0.1, in a child process; what it accepted is read back parsed. */
export const startSmtp = async (mode: 'accept' | 'refuse' | 'tempfail' = 'accept') => {
  const directory = mkdtempSync(join(tmpdir(), 'locker-smtp-'));
  const inbox = join(directory, 'inbox.jsonl');
  const child = fork(join(import.meta.dirname, 'smtp-server-main.ts'), [inbox, mode], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const url = (await listeningUrl(child, 'smtp-server')).replace(/^http:/, 'smtp:');
  // Only whole lines: the server may be appending one while a test reads (a half-written mail
  // once made a count one too many and its JSON unparsable, under the reliability run's load).
  const lines = (): string[] => {
    if (!existsSync(inbox)) return [];
    const text = readFileSync(inbox, 'utf8');
    return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
  };
  const received = async (): Promise<Received[]> => {
    return Promise.all(lines().map(async (l) => {
      const { to, raw } = JSON.parse(l) as { to: string[]; raw: string };
      return Object.assign(await simpleParser(raw), { envelopeTo: to });
    }));
  };
  return {
    url,
    received,
    /** How many mails were accepted, without parsing them. */
    count: (): number => lines().length,
    /** Waits (bounded) until at least `n` mails arrived. */
    waitFor: async (n: number, timeoutMs = 10_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const mails = await received();
        if (mails.length >= n || Date.now() > until) return mails;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    setMode: (next: 'accept' | 'refuse' | 'tempfail') =>
      new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        child.send({ mode: next });
      }),
    stop: async () => {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(directory, { recursive: true, force: true });
    },
  };
};
