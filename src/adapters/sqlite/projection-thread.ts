import type { ProjectionOptions } from './projection.js';
import type { BatchWriter } from './read-model-rebuild.js';
import { siblingModule, startWorker } from './worker-module.js';

/** The writer thread's young generation. */
const YOUNG_GENERATION_MB = 48;

/**
 * The writer of a rebuild, in a worker thread with its own connection (ADR 32):
 * the caller reads and opens the log's next pages while the last are written, which is most of
 * what a rebuild does, on the other core. Events cross as structured clones, a page at a time;
 * commits are answered in order, each after `committed` has been told.
 */
export const projectInThread = (file: string, options: ProjectionOptions, committed: () => void): BatchWriter => {
  const worker = startWorker(siblingModule(import.meta.url, 'projection-thread-worker'), {
    // What a commit's pages and statements leave behind dies young there: with the CLI's 1 MiB
    // young generation (ADR 28) it was promoted and collected again (0.6-0.8 s of a rebuild,
    // measured when a commit's 5,000 events crossed at once).
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    workerData: { file, options },
  });
  const waiting: { resolve(): void; reject(e: Error): void }[] = [];
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  worker.on('message', (answer: string | null) => {
    if (answer !== null) return fail(new Error(answer));
    // Before whoever waits goes on: what the caller's connection caches of the rows is stale now.
    committed();
    waiting.shift()?.resolve();
  });
  worker.on('error', fail);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      fail(new Error(`the projection thread exited (code ${code})`));
      resolve();
    }),
  );
  const ask = (work: 'commit' | 'reset') =>
    failure
      ? Promise.reject(failure)
      : new Promise<void>((resolve, reject) => {
          waiting.push({ resolve, reject });
          worker.postMessage(work);
        });
  return {
    reset: () => ask('reset'),
    stage: (events) => {
      if (!failure) worker.postMessage({ stage: events });
    },
    commit: () => ask('commit'),
    close: async () => {
      worker.postMessage(null);
      await exited;
    },
  };
};
