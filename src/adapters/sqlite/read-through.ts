import { open, stat } from 'node:fs/promises';

/**
 * Reads files through once, front to back, and forgets the bytes: what it leaves is the OS page
 * cache holding them. A scan along the stream index reads the log's pages in an order unrelated to
 * the file's; on a log the OS has not cached (the usual state of a yearly rollover's first dry run)
 * every page was a random read: a million-event dry run took 9.7–10.6 s with the files evicted
 * (47.7 s once) against ~6 s cached, and 7.0–7.9 s evicted with this. The file read in order takes
 * about a second, on the threadpool, beside the scan, which then finds its pages in memory. A file larger than `maxBytes` is left alone (a hosted log of many schools is not read
 * whole for one school's year). Stops when `stop()` says so; failures are ignored (it only helps).
 */
export const readThrough = async (files: readonly string[], maxBytes: number, stop: () => boolean): Promise<number> => {
  let total = 0;
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (const file of files) {
    try {
      if ((await stat(file)).size > maxBytes) continue;
      const handle = await open(file, 'r');
      try {
        for (let at = 0, read = 1; read > 0 && !stop(); at += read, total += read) read = (await handle.read(buffer, 0, buffer.length, at)).bytesRead;
      } finally {
        await handle.close();
      }
    } catch {
      // Missing (a WAL checkpointed away) or unreadable: the scan reads it its own way.
    }
  }
  return total;
};
