import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import type { IdGenerator } from '../../application/ports/id-generator.js';

/** 16 bytes as a UUID's text. */
const uuidText = (bytes: Buffer): string => {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** Random bytes drawn from the system's generator a few kilobytes at a time (a draw costs microseconds of its own). */
const POOL = Buffer.alloc(4096);
let drawn = POOL.length;

let lastMs = -1;
let counter = 0;

/**
 * Fresh ids are UUIDv7 (RFC 9562): 48 bits of milliseconds, then a 12-bit counter and 62 random
 * bits. Ids made one after another sort one after another, so the tables and indexes keyed by them
 * (documents, versions, recipients, mails, the log's event ids) grow at their end instead of
 * splitting pages all over (ADR 33). Within a millisecond the counter goes on from a random start,
 * so ids stay in order; past it, or when the clock goes back, the time part moves on by itself.
 */
const uuidV7 = (): string => {
  if (drawn + 10 > POOL.length) {
    randomFillSync(POOL);
    drawn = 0;
  }
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // Room for at least 2,048 more ids in this millisecond.
    counter = POOL[drawn++]! | ((POOL[drawn++]! & 0x07) << 8);
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  const id = Buffer.allocUnsafe(16);
  id.writeUIntBE(lastMs, 0, 6);
  id.writeUInt16BE(0x7000 | counter, 6);
  POOL.copy(id, 8, drawn, drawn + 8);
  id[8] = 0x80 | (id[8]! & 0x3f);
  drawn += 8;
  return uuidText(id);
};

/** Derived ids are name-based UUIDs (version 8 layout over SHA-256), so they look like any other id. */
export const cryptoIds: IdGenerator = {
  newId: uuidV7,
  derive: (namespace, ...parts) => {
    const hash = createHash('sha256');
    for (const part of [namespace, ...parts]) hash.update(`${part.length}:${part}`);
    const id = hash.digest().subarray(0, 16);
    id[6] = 0x80 | (id[6]! & 0x0f);
    id[8] = 0x80 | (id[8]! & 0x3f);
    return uuidText(id);
  },
  secret: () => randomBytes(32).toString('base64'),
};
