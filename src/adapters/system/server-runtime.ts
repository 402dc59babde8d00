/**
 * The Node flags the server runs with, wherever it is started: `npm start`, the Dockerfile's
 * `locker` command, `bin/locker.js`'s first line, and the benches and reliability runs that start
 * it "as production does" (a test keeps the four in step). Every other command but the batch ones
 * below gets them too: `bin/locker.js` gives them to all it runs.
 *
 * A 1 MiB young-generation semi-space (V8's default grows to 16 MiB) keeps the heap ~15 MiB smaller
 * and collects the short-lived buffers of a long stream sooner: with the WebDAV download's own
 * scavenges, a 256 MiB cloud deposit peaks at 125–143 MiB instead of 162–171 (ADR 28).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * Commands that replay a whole history, then exit. V8's default young generation runs them faster
 * than the server's 1 MiB (ADR 36; a rebuild or rollover of 100,000 documents: 7–11 % less CPU),
 * and their memory is no long stream's: `bin/locker.js` and the Dockerfile's `locker` start them
 * without the server's flags. `audit verify` was no faster, and keeps them.
 */
export const BATCH_COMMANDS: readonly string[] = ['rebuild', 'rollover'];

/** The Node flags `locker <command>` runs with. */
export const nodeFlagsFor = (command: string): readonly string[] => (BATCH_COMMANDS.includes(command) ? [] : SERVER_NODE_FLAGS);
