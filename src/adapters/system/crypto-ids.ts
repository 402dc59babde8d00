import { createHash, randomUUID } from 'node:crypto';
import type { IdGenerator } from '../../application/ports/id-generator.js';

/** Derived ids are name-based UUIDs (version 8 layout over SHA-256), so they look like any other id. */
export const cryptoIds: IdGenerator = {
  newId: () => randomUUID(),
  derive: (namespace, ...parts) => {
    const hash = createHash('sha256');
    for (const part of [namespace, ...parts]) hash.update(`${part.length}:${part}`);
    const hex = hash.digest('hex').slice(0, 32).split('');
    hex[12] = '8';
    hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  },
};
