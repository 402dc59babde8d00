import { Err, Ok, okAsync, ResultAsync } from 'neverthrow';
if (process.env.NATIVE) ResultAsync.prototype.map = function (f) { return new ResultAsync(this._promise.then(async (res) => (res.isErr() ? new Err(res.error) : new Ok(await f(res.value))))); };
const make = () => Array.from({ length: 250 }, (_, i) => ({ id: 'x' + i, data: JSON.parse('{"a":"' + 'y'.repeat(800) + '","b":[1,2,3]}') }));
for (let i = 0; i < 1200; i++) {
  const r = okAsync(make()).map((e) => e);
  const p = (await r)._unsafeUnwrap(); void p;
  await new Promise((r) => setImmediate(r));
}
