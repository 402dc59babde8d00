// One measurement in a process of its own: prints {events, seconds, peakRssMiB}.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/adapters/config/config.js';
import { verifyChains } from '../src/adapters/shared/verify-chains.js';
import { SYSTEM_SCOPE } from '../src/application/use-cases/rollover.js';
import { compose } from '../src/composition/compose.js';

const [mode, dataDir] = process.argv.slice(2) as [string, string];
const peakRssMiB = () => Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);

// Rates count from after opening the stores: they measure the replay, not start-up.
let started = performance.now();
let cpuAtStart = process.cpuUsage();
let events = 0;
let detail: unknown;
if (mode === 'raw') {
  // The floor: read every row of the tenant in order and parse its JSON, nothing else.
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
  started = performance.now();
  cpuAtStart = process.cpuUsage();
  for (const row of db.prepare<[string], { data: string; meta: string }>('SELECT data, meta FROM events WHERE tenant = ? ORDER BY position').iterate('bench')) {
    JSON.parse(row.data);
    JSON.parse(row.meta);
    events += 1;
  }
  db.close();
} else {
  const app = await compose(loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_LOG_LEVEL: 'silent' }));
  started = performance.now();
  cpuAtStart = process.cpuUsage();
  if (mode === 'verify') {
    const report = (await verifyChains(app.deps.events, { tenant: 'bench' }))._unsafeUnwrap();
    if (report.broken) throw new Error(JSON.stringify(report.broken));
    events = report.eventsChecked;
  } else {
    const report = (await app.useCases.rollover({ tenant: 'bench', userId: 'bench', scopes: [SYSTEM_SCOPE] }, { from: '2025-2026', to: '2026-2027', dryRun: true }))._unsafeUnwrap();
    events = report.eventsReplayed;
    detail = { carried: report.carried, skipped: report.skipped };
  }
  await app.close();
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuAtStart);
process.stdout.write(JSON.stringify({ events, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: peakRssMiB(), detail }));
