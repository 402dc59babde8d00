// npm run bench: prints JSON. Every figure sits next to a baseline measured in the same run,
// because these machines are shared and noisy; the ratios are what to compare across runs.
import { benchEventAppends } from './event-appends.js';
import { benchUpload } from './upload.js';

const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};

const results: Record<string, unknown> = { node: process.version, at: new Date().toISOString() };
results.eventAppends = await benchEventAppends(arg('events', 5000));
results.upload = await benchUpload(arg('upload-mib', 512) * 1024 * 1024);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
