import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { youngGarbage } from '../../src/adapters/shared/young-garbage.js';

/** The garbage collections V8 reports while `work` runs (and a turn after, when entries arrive). */
const collections = async (work: () => void): Promise<PerformanceEntry[]> => {
  const seen: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  work();
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  return seen;
};
const minor = (entries: PerformanceEntry[]) => entries.filter((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR).length;

describe('collecting a long stream’s young garbage', () => {
  it('scavenges once each time the bytes streamed pass the step, and not before', async () => {
    // Counted over many calls, so a collection V8 makes on its own does not decide the outcome.
    const below = youngGarbage(1000);
    const quiet = minor(await collections(() => Array.from({ length: 100 }, () => below(9))));
    const above = youngGarbage(1000);
    const busy = minor(await collections(() => Array.from({ length: 100 }, () => above(100))));
    expect(busy).toBeGreaterThanOrEqual(10);
    expect(quiet).toBeLessThan(3);
  });
});
