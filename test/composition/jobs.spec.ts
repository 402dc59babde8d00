import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startJobs } from '../../src/composition/jobs.js';

describe('the periodic jobs', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  const held = () => {
    let release = () => undefined as void;
    const runs: number[] = [];
    const run = () => {
      runs.push(runs.length);
      return new Promise<void>((resolve) => (release = resolve));
    };
    return { runs, run, release: () => release() };
  };

  it('run every interval, at start only when asked, and never over their own previous run', async () => {
    const slow = held();
    let quick = 0;
    const jobs = startJobs([
      { name: 'slow', everyMs: 100, atStart: true, run: slow.run },
      { name: 'quick', everyMs: 100, run: async () => void quick++ },
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect([slow.runs.length, quick]).toEqual([1, 0]);
    await vi.advanceTimersByTimeAsync(350);
    // The slow job's first run is still going: its three ticks were skipped; the quick one ran each time.
    expect([slow.runs.length, quick]).toEqual([1, 3]);
    slow.release();
    await vi.advanceTimersByTimeAsync(100);
    expect(slow.runs.length).toBe(2);
    slow.release();
    await jobs.stop();
  });

  it('a run that throws does not stop the next one', async () => {
    let runs = 0;
    const jobs = startJobs([{ name: 'failing', everyMs: 10, run: async () => { runs++; throw new Error('no'); } }]);
    await vi.advanceTimersByTimeAsync(35);
    expect(runs).toBe(3);
    await jobs.stop();
  });

  it('stop starts no new run and waits for the one under way', async () => {
    const slow = held();
    const jobs = startJobs([{ name: 'slow', everyMs: 100, atStart: true, run: slow.run }]);
    let stopped = false;
    const stopping = jobs.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(500);
    expect([stopped, slow.runs.length]).toEqual([false, 1]);
    slow.release();
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(slow.runs.length).toBe(1);
  });
});
