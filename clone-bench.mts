import { Worker } from 'node:worker_threads';
import { loadConfig } from './src/adapters/config/config.js';
import { compose } from './src/composition/compose.js';
const app = await compose(loadConfig({ LOCKER_DATA_DIR: '/work/rb', LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_LOG_LEVEL: 'silent' }));
const pages: any[][] = [];
for (let after = 0n; ; ) { const p = (await app.deps.events.readAll({ after, limit: 250 }))._unsafeUnwrap(); if (!p.length) break; pages.push(p); after = p.at(-1)!.position; }
console.log('pages', pages.length);
const worker = new Worker(`const { parentPort } = require('node:worker_threads'); let n = 0; parentPort.on('message', (m) => { if (m === 'done') parentPort.postMessage(n); else { if (typeof m === 'string') JSON.parse(m); n++; } });`, { eval: true });
const run = async (name: string, make: (p: any[]) => unknown) => {
  const t = performance.now();
  for (const p of pages) worker.postMessage(make(p));
  const main = performance.now() - t;
  await new Promise((r) => { worker.once('message', r); worker.postMessage('done'); });
  console.log(name, 'main ms', Math.round(main), 'total ms', Math.round(performance.now() - t));
};
for (let i = 0; i < 2; i++) {
  await run('clone full', (p) => ({ stage: p }));
  await run('clone stripped', (p) => ({ stage: p.map((e) => ({ id: e.id, stream: e.stream, position: e.position, type: e.type, data: e.data, meta: e.meta })) }));
  await run('json replacer', (p) => JSON.stringify(p, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  await run('json stripped', (p) => JSON.stringify(p.map((e) => ({ id: e.id, stream: e.stream, position: String(e.position), type: e.type, data: e.data, meta: e.meta }))));
}
await worker.terminate();
await app.close();
