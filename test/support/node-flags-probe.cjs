// Preloaded through NODE_OPTIONS in every process a test starts: writes one line per process (its
// pid and Node flags) to PROBE_FILE, so a test sees which processes ran with which flags.
const { appendFileSync } = require('node:fs');
appendFileSync(process.env.PROBE_FILE, `${JSON.stringify({ pid: process.pid, execArgv: process.execArgv })}\n`);
