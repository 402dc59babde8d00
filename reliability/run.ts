// npm run test:reliability: crashes, races and hostile requests against the real server in a child
// process. Prints the figures as JSON and exits 1 when a goal is missed.
import { concurrencyRun } from './concurrency.js';
import { crashRun } from './crash.js';
import { hostileRun } from './hostile.js';
import { mailCrashRun } from './mail-crash.js';
import { webhookCrashRun } from './webhook-crash.js';

const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};

const only = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1];
if (only === 'webhooks') {
  process.stdout.write(`${JSON.stringify(await webhookCrashRun(arg('hook-documents', 150)), null, 2)}\n`);
  process.exit(0);
}
if (only === 'mail') {
  process.stdout.write(`${JSON.stringify(await mailCrashRun(arg('mail-recipients', 300)), null, 2)}\n`);
  process.exit(0);
}
const results = {
  node: process.version,
  at: new Date().toISOString(),
  crash: await crashRun({ cycles: arg('cycles', 3), clients: 8, perClient: arg('per-client', 25) }),
  concurrency: await concurrencyRun(50),
  hostile: await hostileRun(arg('requests', 10_000), arg('seed', Date.now())),
  mailCrash: await mailCrashRun(arg('mail-recipients', 300)),
  webhookCrash: await webhookCrashRun(arg('hook-documents', 150)),
};
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
const missed = Object.entries(results).filter(([, r]) => typeof r === 'object' && r !== null && 'ok' in r && !r.ok).map(([k]) => k);
if (missed.length > 0) {
  process.stderr.write(`reliability: goals missed: ${missed.join(', ')}\n`);
  process.exit(1);
}
