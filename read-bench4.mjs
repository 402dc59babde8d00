import { loadConfig } from './dist/adapters/config/config.js';
import { compose } from './dist/composition/compose.js';
const app = await compose(loadConfig({ LOCKER_DATA_DIR: '/tmp/rbcopy', LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_LOG_LEVEL: 'silent' }));
const t = performance.now(); let n = 0;
for (let after = 0n; ; ) { const p = (await app.deps.events.readAll({ after, limit: 250 }))._unsafeUnwrap(); if (!p.length) break; n += p.length; after = p.at(-1).position; await new Promise((r) => setImmediate(r)); }
console.log('sealed', n, Math.round(performance.now() - t), 'ms');
await app.close();
