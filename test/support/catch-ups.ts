import { vi } from 'vitest';
import type { Projector } from '../../src/application/projector.js';

/**
 * How many times `work` asked this node's projector to catch up, and what it answered: batch jobs
 * catch up once at their end, whatever the number of items (ADR 31).
 */
export const catchUpsDuring = async <T>(projector: Projector, work: () => Promise<T>): Promise<{ count: number; value: T }> => {
  const spy = vi.spyOn(projector, 'catchUp');
  try {
    const value = await work();
    return { count: spy.mock.calls.length, value };
  } finally {
    spy.mockRestore();
  }
};
