import { signToken } from '../src/adapters/shared/tokens.js';
import { load } from './load.js';
const token = await signToken('x'.repeat(40), { tenant: 'bench', userId: 't000' });
console.log(JSON.stringify(await load(`${process.argv[2]}/v1/locker${process.argv[3] ?? ''}`, { connections: 10, seconds: Number(process.env.SECONDS ?? 5), headers: { authorization: `Bearer ${token}` } })));
