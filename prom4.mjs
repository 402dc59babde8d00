import { okAsync, ResultAsync } from 'neverthrow';
const make = () => Array.from({ length: 250 }, (_, i) => ({ id: 'x' + i, data: JSON.parse('{"a":"' + 'y'.repeat(800) + '","b":[1,2,3]}') }));
const mode = process.env.MODE;
for (let i = 0; i < 1200; i++) {
  let p;
  if (mode === 'fromPromiseResolved') p = (await okAsync(null).map(() => make()).andThen((e) => ResultAsync.fromPromise(Promise.resolve(1), (x) => x).map(() => e)))._unsafeUnwrap();
  if (mode === 'asyncFnPlain') { const e = make(); await (async () => 1)(); p = e; }
  if (mode === 'thenChain') p = await Promise.resolve(null).then(() => make()).then((e) => Promise.resolve(1).then(() => e));
  if (mode === 'thenCatchChain') p = await Promise.resolve(null).then(() => make()).then((e) => Promise.resolve(1).then((v) => v).catch((x) => x).then(() => e));
  void p;
  await new Promise((r) => setImmediate(r));
}
