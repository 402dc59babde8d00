import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running one of our modules, given by URL. Compiled, it is JavaScript Node runs
 * as is; from the sources (tsx, vitest) it is TypeScript, and the thread loads tsx first, as the
 * CLI's process does.
 */
export const startWorker = (module: URL, options: WorkerOptions): Worker =>
  new Worker(module, module.pathname.endsWith('.ts') ? { ...options, execArgv: ['--import', import.meta.resolve('tsx')] } : options);

/** A sibling module of `self` (an `import.meta.url`), with the same extension: `.ts` from the sources, `.js` built. */
export const siblingModule = (self: string, name: string): URL => new URL(`./${name}${self.endsWith('.ts') ? '.ts' : '.js'}`, self);
