import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Header, type Pack } from 'tar-stream';

/**
 * The archive a school moves in (ADR 54): a tar whose every entry is sealed on its own with the
 * transfer key (AES-256-GCM: a 12-byte nonce, the ciphertext, the 16-byte tag), bound to the school
 * and the entry's name, so an entry can be neither read, changed, renamed nor moved to another
 * school's archive without the key. Sizes are known before an entry is written (tar needs them):
 * JSON entries are small and built whole, blobs are streamed with their size from the store.
 */
export const ARCHIVE_FORMAT = 'digital-locker-tenant/1';
const NONCE = 12;
const TAG = 16;
/** What sealing adds to an entry's size. */
export const SEALING_BYTES = NONCE + TAG;

export class ArchiveError extends Error {}

/** A transfer key: 32 random bytes, kept as base64 in a file the operator moves apart from the archive. */
export const transferKeyOf = (text: string): Buffer => {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.trim()) throw new ArchiveError('a transfer key is 32 bytes in base64 (locker tenant new-key makes one)');
  return key;
};

/** What an entry is bound to: its school and name. The manifest says the school, so it is bound to its name alone. */
const aad = (tenant: string, name: string) => Buffer.from(`${ARCHIVE_FORMAT}\n${name === MANIFEST ? '' : tenant}\n${name}`);
export const MANIFEST = 'manifest.json';

export type ArchiveWriter = {
  /** A small entry, sealed whole. */
  json(name: string, value: unknown): Promise<void>;
  /** Lines of JSON, one value each. */
  lines(name: string, values: readonly unknown[]): Promise<void>;
  /** A stream of known size, sealed as it goes. */
  stream(name: string, sizeBytes: number, content: Readable): Promise<void>;
  /** Ends the archive, once its last entry is written. */
  end(): Promise<void>;
};

const entryDone = (archive: Pack, header: Partial<Header> & { name: string }, body: Buffer) =>
  new Promise<void>((resolve, reject) => {
    archive.entry(header as Header, body, (e) => (e ? reject(e) : resolve()));
  });

/** Writes the archive to `out` (stdout, a file), waiting for it to drain: memory holds one entry's seal at most. */
export const archiveWriter = (tenant: string, key: Buffer, out: Writable): ArchiveWriter => {
  const archive = pack();
  const done = pipeline(archive, out);
  done.catch(() => undefined);
  // A destination that fails (a closed pipe, a full disk) stops the archive's backpressure for
  // good: every wait races it, so the export ends with its error instead of waiting for ever.
  const guarded = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await Promise.race([work, done.then(() => work)]);
    } catch (e) {
      // The archive's own complaint ("destroyed") follows the destination's: that one says why.
      const cause = await Promise.race([done.then(() => undefined, (failure: unknown) => failure), new Promise((resolve) => setTimeout(resolve, 100))]);
      throw cause ?? e;
    }
  };
  const seal = (name: string, plain: Buffer) => {
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad(tenant, name));
    return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  };
  const json = (name: string, value: unknown) => guarded(entryDone(archive, { name }, seal(name, Buffer.from(JSON.stringify(value)))));
  return {
    json,
    lines: (name, values) => guarded(entryDone(archive, { name }, seal(name, Buffer.from(values.map((v) => `${JSON.stringify(v)}\n`).join(''))))),
    stream: async (name, sizeBytes, content) => {
      const nonce = randomBytes(NONCE);
      const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad(tenant, name));
      const written = new Promise<void>((resolve, reject) => {
        const entry = archive.entry({ name, size: sizeBytes + SEALING_BYTES }, (e) => (e ? reject(e) : resolve()));
        void pipeline(
          async function* () {
            yield nonce;
            for await (const chunk of content) yield cipher.update(chunk as Buffer);
            yield cipher.final();
            yield cipher.getAuthTag();
          },
          entry,
        ).catch(reject);
      });
      await guarded(written);
    },
    end: async () => {
      archive.finalize();
      await done;
    },
  };
};

/** One entry as it is read: its name, and its content opened (a tampered entry fails at its end). */
export type ArchiveEntry = {
  readonly name: string;
  /** The opened bytes, as they come; the last read throws if the entry was changed or the key is wrong. */
  content(): AsyncIterable<Buffer>;
  /** The whole entry opened, for small ones. */
  whole(): Promise<Buffer>;
  /** Lines of JSON. */
  lines(): Promise<unknown[]>;
  json(): Promise<unknown>;
  /** Reads past it unopened. */
  skip(): Promise<void>;
};

const opened = async function* (raw: AsyncIterable<Buffer>, key: Buffer, tenant: string, name: string): AsyncGenerator<Buffer> {
  let head: Buffer = Buffer.alloc(0);
  let decipher: DecipherGCM | undefined;
  let tail: Buffer = Buffer.alloc(0);
  for await (const chunk of raw) {
    let body: Buffer = chunk;
    if (!decipher) {
      head = Buffer.concat([head, chunk]);
      if (head.length < NONCE) continue;
      decipher = createDecipheriv('aes-256-gcm', key, head.subarray(0, NONCE)).setAAD(aad(tenant, name));
      body = head.subarray(NONCE);
    }
    // The last 16 bytes are the tag: what comes before them can be opened now.
    tail = tail.length === 0 ? body : Buffer.concat([tail, body]);
    if (tail.length > TAG) {
      const out = decipher.update(tail.subarray(0, tail.length - TAG));
      tail = tail.subarray(tail.length - TAG);
      if (out.length > 0) yield out;
    }
  }
  if (!decipher || tail.length !== TAG) throw new ArchiveError(`${name} is cut short`);
  decipher.setAuthTag(tail);
  let last: Buffer;
  try {
    last = decipher.final();
  } catch {
    throw new ArchiveError(`${name} was changed, or the transfer key is not the one it was written with`);
  }
  if (last.length > 0) yield last;
};

/** The entries of an archive of `tenant`, in order; each must be read or skipped before the next. */
export const archiveEntries = async function* (input: Readable, key: Buffer, tenant: () => string): AsyncGenerator<ArchiveEntry> {
  const reader = extract();
  const fed = pipeline(input, reader);
  fed.catch(() => undefined);
  try {
    for await (const entry of reader) {
      const name = entry.header.name;
      let used = false;
      const content = () => {
        if (used) throw new Error(`${name} is read once`);
        used = true;
        return opened(entry as AsyncIterable<Buffer>, key, tenant(), name);
      };
      const whole = async () => {
        const parts: Buffer[] = [];
        for await (const part of content()) parts.push(part);
        return Buffer.concat(parts);
      };
      const parse = (text: string) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new ArchiveError(`${name} is not JSON`);
        }
      };
      yield {
        name,
        content,
        whole,
        json: async () => parse((await whole()).toString('utf8')),
        lines: async () =>
          (await whole())
            .toString('utf8')
            .split('\n')
            .filter((line) => line.length > 0)
            .map(parse),
        skip: async () => {
          if (used) return;
          used = true;
          entry.resume();
          await new Promise<void>((resolve, reject) => {
            entry.once('end', resolve);
            entry.once('error', reject);
          });
        },
      };
      if (!used) {
        used = true;
        entry.resume();
      }
    }
    await fed;
  } catch (e) {
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(`not a tenant archive: ${(e as Error).message}`);
  } finally {
    // Stopped early (a refused entry, a failed store): the input is let go, not left open.
    reader.destroy();
    input.destroy();
  }
};
