import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cryptoIds } from '../../src/adapters/system/crypto-ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisecondsOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fresh ids (UUIDv7, ADR 33)', () => {
  it('are version-7 UUIDs carrying the time they were made at', () => {
    const before = Date.now();
    const id = cryptoIds.newId();
    expect(id).toMatch(UUID_V7);
    expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisecondsOf(id)).toBeLessThanOrEqual(Date.now());
  });

  it('sort in the order they were made, and never repeat: many within one millisecond, and with a clock that goes back', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 3 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 300 }), (steps, perStep) => {
        let now = Date.parse('2026-12-01T10:00:00.000Z');
        vi.spyOn(Date, 'now').mockImplementation(() => now);
        const ids: string[] = [];
        for (const step of steps) {
          now += step;
          for (let i = 0; i < perStep; i++) ids.push(cryptoIds.newId());
        }
        vi.restoreAllMocks();
        expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
        expect([...ids].sort()).toEqual(ids);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 50 },
    );
  });

  it('more than 4,096 within one millisecond move the time part on rather than wrap', () => {
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2031-01-01T00:00:00.000Z'));
    const ids = Array.from({ length: 10_000 }, () => cryptoIds.newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(millisecondsOf(ids.at(-1)!)).toBeGreaterThan(millisecondsOf(ids[0]!));
  });

  it('keep 62 random bits each: two made in the same millisecond differ beyond their counter', () => {
    vi.spyOn(Date, 'now').mockReturnValue(Date.parse('2032-01-01T00:00:00.000Z'));
    const tails = new Set(Array.from({ length: 1_000 }, () => cryptoIds.newId().slice(19)));
    expect(tails.size).toBe(1_000);
  });
});

describe('secrets', () => {
  it('are 32 random bytes each, not ids (which tell when they were made)', () => {
    const secrets = Array.from({ length: 100 }, () => cryptoIds.secret());
    expect(secrets.every((s) => Buffer.from(s, 'base64').length === 32)).toBe(true);
    expect(new Set(secrets).size).toBe(100);
  });
});

describe('derived ids', () => {
  it('are the ones earlier versions derived: a rollover’s carried document or an idempotent deposit keeps its id across releases', () => {
    expect(cryptoIds.derive('rollover', 'school', 'doc-1', '2027-2028')).toBe('18ed137a-2ad5-8e30-a3ed-c05804de9ee7');
  });

  it('are the same for the same parts and differ for others', () => {
    expect(cryptoIds.derive('deposit', 'school', 'anne', 'k1')).toBe(cryptoIds.derive('deposit', 'school', 'anne', 'k1'));
    expect(cryptoIds.derive('deposit', 'school', 'anne', 'k1')).not.toBe(cryptoIds.derive('deposit', 'school', 'anne', 'k2'));
    // Part boundaries count: ('ab', 'c') is not ('a', 'bc').
    expect(cryptoIds.derive('n', 'ab', 'c')).not.toBe(cryptoIds.derive('n', 'a', 'bc'));
    expect(cryptoIds.derive('n', 'x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
