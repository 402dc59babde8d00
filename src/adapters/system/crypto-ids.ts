import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import type { IdGenerator } from '../../application/ports/id-generator.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

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
  const ms = lastMs;
  const high = Math.floor(ms / 0x10000);
  const b = [
    (high >>> 24) & 0xff, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff, (ms >>> 8) & 0xff, ms & 0xff,
    0x70 | (counter >>> 8), counter & 0xff,
    0x80 | (POOL[drawn]! & 0x3f), POOL[drawn + 1]!, POOL[drawn + 2]!, POOL[drawn + 3]!, POOL[drawn + 4]!, POOL[drawn + 5]!, POOL[drawn + 6]!, POOL[drawn + 7]!,
  ].map((x) => HEX[x]!);
  drawn += 8;
  return `${b[0]}${b[1]}${b[2]}${b[3]}-${b[4]}${b[5]}-${b[6]}${b[7]}-${b[8]}${b[9]}-${b[10]}${b[11]}${b[12]}${b[13]}${b[14]}${b[15]}`;
};

/** Derived ids are name-based UUIDs (version 8 layout over SHA-256), so they look like any other id. */
export const cryptoIds: IdGenerator = {
  newId: uuidV7,
  derive: (namespace, ...parts) => {
    const hash = createHash('sha256');
    for (const part of [namespace, ...parts]) hash.update(`${part.length}:${part}`);
    const hex = hash.digest('hex').slice(0, 32).split('');
    hex[12] = '8';
    hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  },
  secret: () => randomBytes(32).toString('base64'),
};
