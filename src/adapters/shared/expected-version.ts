import type { ExpectedVersion } from '../../application/ports/event-store.js';

/** What an append's expectation means, the same for every store: any, no stream yet, or exactly this last revision. */
export const expectationHolds = (expected: ExpectedVersion, actual: number | 'no-stream'): boolean =>
  expected === 'any' || (expected === 'no-stream' ? actual === 'no-stream' : actual !== 'no-stream' && actual === expected.revision);
