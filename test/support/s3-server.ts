import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' };

/** A real S3 protocol server (s3rver) on 127.0.0.1, in a child process, over a fresh folder. */
export const startS3 = async () => {
  const directory = mkdtempSync(join(tmpdir(), 'locker-s3-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 's3rver-main.ts'), directory], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
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
