import v8 from 'node:v8';
import vm from 'node:vm';

// V8's `gc` is exposed to contexts made after the flag is set: this module's own context gets it,
// the application's global scope does not.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;

/** A collection of the whole heap now: what memory is still reachable can then be read. */
export const collectAllGarbage = (): void => gc({ type: 'major' });

/**
 * Collects the young generation every `everyBytes` of a long stream. A download hands over a new
 * buffer per socket read; they die at once, but their memory is only given back when V8 next
 * scavenges, which a stream that allocates little else puts off: a 256 MiB cloud deposit peaked
 * ~10 MiB higher without this (ADR 28). A scavenge of a small young generation costs ~1 ms.
 */
export const youngGarbage = (everyBytes: number) => {
  let since = 0;
  return (bytes: number): void => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    gc({ type: 'minor' });
  };
};
