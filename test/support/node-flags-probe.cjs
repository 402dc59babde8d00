// Preloaded through NODE_OPTIONS in every process a test starts: writes one line per process (its
// pid and Node flags) to PROBE_FILE, so a test sees which processes ran with which flags. With
// PROBE_HOLD, a process started without flags stops there for a while (a batch command's child
// caught running).
const { appendFileSync } = require('node:fs');
appendFileSync(process.env.PROBE_FILE, `${JSON.stringify({ pid: process.pid, execArgv: process.execArgv })}\n`);
if (process.env.PROBE_HOLD && process.execArgv.length === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20_000);
