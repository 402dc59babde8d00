import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listeningUrl } from './listening.js';

export const WEBDAV_USER = { username: 'anne', password: 'app-password' };

/** A real WebDAV server on 127.0.0.1, in a child process, over a fresh folder holding `files`. */
export const startWebdav = async (files: Record<string, string | Uint8Array>) => {
  const root = mkdtempSync(join(tmpdir(), 'locker-webdav-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'webdav-server-main.ts'), root], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await listeningUrl(child, 'webdav-server');
  return {
    url,
    root,
    stop: async () => {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(root, { recursive: true, force: true });
    },
  };
};
