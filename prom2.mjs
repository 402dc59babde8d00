import { loadConfig } from './dist/adapters/config/config.js';
import { compose } from './dist/composition/compose.js';
const make = () => Array.from({ length: 250 }, (_, i) => ({ id: 'x' + i, data: JSON.parse('{"a":"' + 'y'.repeat(800) + '","b":[1,2,3]}') }));
if (process.env.APP) await compose(loadConfig({ LOCKER_DATA_DIR: '/tmp/rbcopy', LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_LOG_LEVEL: 'silent' }));
for (let i = 0; i < 400; i++) { const p = await (async () => make())().then((e) => e); void p; await new Promise((r) => setImmediate(r)); }
process.exit(0);
