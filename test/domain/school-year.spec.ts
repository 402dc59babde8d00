import { describe, expect, it } from 'vitest';
import { isSchoolYear, nextSchoolYear, schoolYearBounds, schoolYearOf } from '../../src/domain/index.js';

describe('school years', () => {
  it('are written 2026-2027, the second year following the first', () => {
    expect(['2026-2027', '1999-2000'].map(isSchoolYear)).toEqual([true, true]);
    expect(['2026-2028', '2026-2026', 'x2026-2027', '2026-2027x', '26-27', ''].map(isSchoolYear)).toEqual([false, false, false, false, false, false]);
  });

  it('turn on 1 August', () => {
    expect(schoolYearOf('2026-07-31T23:59:59.999Z')).toBe('2025-2026');
    expect(schoolYearOf('2026-08-01T00:00:00.000Z')).toBe('2026-2027');
    expect(schoolYearOf('2027-01-15T10:00:00.000Z')).toBe('2026-2027');
    expect(schoolYearOf('2026-12-31T10:00:00.000Z')).toBe('2026-2027');
  });

  it('have bounds that agree with the turn, and a next one', () => {
    expect(schoolYearBounds('2026-2027')).toEqual({ from: '2026-08-01T00:00:00.000Z', to: '2027-08-01T00:00:00.000Z' });
    expect(schoolYearOf(schoolYearBounds('2026-2027').from)).toBe('2026-2027');
    expect(nextSchoolYear('2026-2027')).toBe('2027-2028');
  });
});
