/**
 * The Node flags the server runs with, wherever it is started: `npm start`, the Dockerfile's
 * `locker` command, `bin/locker.js`'s first line, and the benches and reliability runs that start
 * it "as production does" (a test keeps the four in step).
 *
 * A 1 MiB young-generation semi-space (V8's default grows to 16 MiB) keeps the heap ~15 MiB smaller
 * and collects the short-lived buffers of a long stream sooner: with the WebDAV download's own
 * scavenges, a 256 MiB cloud deposit peaks at 125–143 MiB instead of 162–171 (ADR 28).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
