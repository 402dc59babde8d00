import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { ReadModelCopy } from '../../application/ports/read-models.js';
import { fsync, writeHashed } from '../shared/hashed-file.js';

/**
 * A copy of the read models through SQLite's online backup: page by page, yielding to the event
 * loop between steps, while the service keeps reading and projecting. Writes made through the same
 * connection meanwhile are carried into the copy, so it is consistent as of its own checkpoint row,
 * which it holds. The copy leaves WAL mode: one self-contained file.
 */
export const copyReadModels = async (db: Database.Database, file: string): Promise<ReadModelCopy> => {
  // Beside the file (same disk, no size surprise in /tmp); read models in memory copy to /tmp.
  const target = file === ':memory:' || file === '' ? join(tmpdir(), `read-models.copy-${randomUUID()}`) : join(dirname(file), `.${basename(file)}.copy-${randomUUID()}`);
  const discard = () => Promise.all(['', '-wal', '-shm', '-journal'].map((s) => rm(target + s, { force: true }))).then(() => undefined);
  try {
    await db.backup(target);
    const copy = new Database(target);
    let position: string | undefined;
    try {
      position = copy.prepare<[], { position: string }>('SELECT position FROM checkpoint WHERE id = 1').get()?.position;
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    return { checkpoint: BigInt(position ?? 0), sizeBytes: (await stat(target)).size, content: () => createReadStream(target), discard };
  } catch (e) {
    await discard();
    throw e;
  }
};

/**
 * Puts a copy in place of read models this node does not have (a new node, or a wiped disk): the
 * bytes land beside the file, are checked against the hash they were stored with and fsynced, and
 * only a rename makes them the read models, durable once the folder is fsynced too. A crash
 * midway leaves no read models, and the next start restores or rebuilds again.
 */
export const installReadModels = async (file: string, content: AsyncIterable<Uint8Array>, sha256: string): Promise<void> => {
  const partial = `${file}.restoring`;
  try {
    const got = await writeHashed(partial, content);
    if (got !== sha256) throw new Error(`the snapshot's bytes hash to ${got}, not ${sha256}`);
    // A WAL left from read models that are gone belongs to them, not to the copy.
    await Promise.all(['-wal', '-shm'].map((s) => rm(file + s, { force: true })));
    await rename(partial, file);
    await fsync(dirname(file));
  } finally {
    await rm(partial, { force: true });
  }
};
