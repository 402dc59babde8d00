import { okAsync, ResultAsync } from 'neverthrow';
const make = () => Array.from({ length: 250 }, (_, i) => ({ id: 'x' + i, data: JSON.parse('{"a":"' + 'y'.repeat(800) + '","b":[1,2,3]}') }));
const mode = process.env.MODE;
for (let i = 0; i < 1200; i++) {
  const r = okAsync(null).map(() => make()).andThen((e) => (mode === 'promise' ? ResultAsync.fromPromise((async () => new Map())(), (x) => x).map(() => e) : okAsync(e)));
  const p = (await r)._unsafeUnwrap(); void p;
  await new Promise((r) => setImmediate(r));
}
