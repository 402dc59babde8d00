import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/application/cursor.js';

const raw = (text: string) => Buffer.from(text).toString('base64url');

describe('listing cursors', () => {
  it('a cursor made by the server reads back as its position', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (seq) => decodeCursor(encodeCursor(seq)) === seq));
  });

  it('anything else is no cursor: text before or after the position, a position too long, not a number', () => {
    for (const text of ['xs12', 's12x', ' s12', 's12 ', `s${'9'.repeat(16)}`, 's', 'sabc', '12', '']) expect(decodeCursor(raw(text))).toBeUndefined();
    expect(decodeCursor(raw(`s${'9'.repeat(15)}`))).toBe(999_999_999_999_999);
  });
});
