import { ok, okAsync, ResultAsync } from 'neverthrow';
const make = () => Array.from({ length: 250 }, (_, i) => ({ id: 'x' + i, data: JSON.parse('{"a":"' + 'y'.repeat(800) + '","b":[1,2,3]}') }));
const mode = process.env.MODE;
for (let i = 0; i < 1200; i++) {
  let r;
  if (mode === 'V1') r = ResultAsync.fromPromise(Promise.resolve(1), (x) => x).map(() => make());
  if (mode === 'V2') r = okAsync(make()).andThen((e) => ResultAsync.fromPromise(Promise.resolve(1), (x) => x).map(() => e));
  if (mode === 'V3') r = okAsync(make()).andThen((e) => new ResultAsync((async () => { await Promise.resolve(1); return ok(e); })()));
  if (mode === 'V4') r = okAsync(make()).andThen((e) => okAsync(e));
  if (mode === 'V5') r = okAsync(make()).map((e) => e);
  if (mode === 'V6') r = okAsync(make()).map(async (e) => { await 1; return e; });
  const p = (await r)._unsafeUnwrap(); void p;
  await new Promise((r) => setImmediate(r));
}
