/**
 * The Node flags the server runs with, wherever it is started: `npm start`, the Dockerfile's
 * `locker` command, `bin/locker.js`'s first line, and the benches and reliability runs that start
 * it "as production does" (a test keeps the four in step). Every other command gets them too:
 * `bin/locker.js` and the Dockerfile's `locker` give them to all they run.
 *
 * A 1 MiB young-generation semi-space (V8's default grows to 16 MiB) keeps the heap smaller and
 * collects the short-lived buffers of a long stream sooner (ADR 28; figures in docs/performance.md).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
