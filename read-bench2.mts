import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { loadConfig } from './src/adapters/config/config.js';
import { compose } from './src/composition/compose.js';
const app = await compose(loadConfig({ LOCKER_DATA_DIR: '/tmp/rbcopy', LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_LOG_LEVEL: 'silent' }));
const session = new Session(); session.connect();
await session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
let n = 0;
for (let after = 0n; ; ) { const p = (await app.deps.events.readAll({ after, limit: 250 }))._unsafeUnwrap(); if (!p.length) break; n += p.length; after = p.at(-1)!.position; await new Promise((r) => setImmediate(r)); }
const { profile } = await session.post('HeapProfiler.stopSampling');
writeFileSync('/tmp/promoted.heapprofile', JSON.stringify(profile));
console.log('read', n);
await app.close();
