import v8 from 'node:v8';
import vm from 'node:vm';

// V8's `gc` is exposed to contexts made after the flag is set: this module's own context gets it,
// the test's global scope does not. Tests only: production code never forces a collection.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;

/** A collection of the whole heap now: what memory is still reachable can then be read. */
export const collectAllGarbage = (): void => gc({ type: 'major' });
