import { largeTenant } from './bench/tenant.js';
const dir = process.argv[2]!;
const r = await largeTenant(dir, 100_000);
console.log(JSON.stringify(r));
