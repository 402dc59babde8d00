import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningUrl } from './listening.js';

export const S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' };

/** A real S3 protocol server (s3rver) on 127.0.0.1, in a child process, over a fresh folder. */
export const startS3 = async () => {
  const directory = mkdtempSync(join(tmpdir(), 'locker-s3-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 's3rver-main.ts'), directory], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await listeningUrl(child, 's3rver');
  return {
    endpoint,
    directory,
    stop: async () => {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(directory, { recursive: true, force: true });
    },
  };
};
