import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Fsyncs a file or a folder: its bytes, or the names made in it (a rename), survive a power cut. */
export const fsync = async (path: string): Promise<void> => {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** Streams bytes into a file, hashing them on the way, and fsyncs it: answers their SHA-256 (hex). */
export const writeHashed = async (path: string, content: AsyncIterable<Uint8Array>): Promise<string> => {
  const hash = createHash('sha256');
  await pipeline(
    content,
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    }),
    createWriteStream(path),
  );
  await fsync(path);
  return hash.digest('hex');
};
