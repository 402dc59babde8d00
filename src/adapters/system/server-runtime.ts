/**
 * The Node flags the server runs with: `npm start`, the Dockerfile's `locker serve`, and the
 * benches and reliability runs that start it "as production does" (a test keeps them in step).
 * Every other command runs on V8's default, which a rebuild or a rollover needs (ADR 47);
 * `npx locker serve`, for development, runs without them and says so.
 *
 * A 1 MiB young-generation semi-space (V8's default grows to 16 MiB) keeps the heap smaller and
 * collects the short-lived buffers of a long stream sooner (ADR 28). An old generation bounded at
 * 256 MiB makes V8 collect it as it goes instead of letting it grow towards its default limit (a
 * quarter of the machine's memory) under a busy mix of reads and writes (ADR 57; figures in
 * docs/performance.md).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--max-old-space-size=256'];
