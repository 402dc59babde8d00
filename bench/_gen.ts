import { largeTenant } from './tenant.js';
console.log(await largeTenant('/tmp/bl', Number(process.argv[2] ?? 100000)));
