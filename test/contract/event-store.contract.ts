import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, NewEvent } from '../../src/application/ports/event-store.js';
import { GENESIS_HASH } from '../../src/adapters/shared/event-chain.js';

export type EventStoreFactory = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

const event = (tenant: string, type = 'Something', data: unknown = { n: 1 }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  meta: { actor: 'anne', at: '2026-11-28T10:00:00.000Z', tenant, schemaVersion: 1 },
});

/** One suite for every EventStore adapter: each must behave exactly like this. */
export const eventStoreContract = (name: string, factory: EventStoreFactory | { skip: string }) => {
  const skip = 'skip' in factory ? factory.skip : undefined;
  if (skip) console.warn(`[contract] EventStore on ${name} skipped: ${skip}`);
  describe.skipIf(Boolean(skip))(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    // Streams are unique per test so the suite can run against a shared server.
    const tenant = `t${randomUUID().slice(0, 8)}`;
    const stream = () => `${tenant}:document:${randomUUID()}`;

    beforeAll(async () => {
      ({ store, cleanup } = await (factory as EventStoreFactory)());
    });
    afterAll(async () => cleanup?.());

    it('appends to a new stream and reads it back in order, with revisions and a hash chain', async () => {
      const s = stream();
      const data = { text: 'été ✓', nested: { list: [1, 2, { deep: null }] } };
      const appended = await store.append(s, [event(tenant, 'A', data), event(tenant, 'B')], 'no-stream');
      expect(appended._unsafeUnwrap().lastRevision).toBe(1);
      const read = (await store.readStream(s))._unsafeUnwrap();
      expect(read.map((e) => [e.type, e.revision])).toEqual([
        ['A', 0],
        ['B', 1],
      ]);
      expect(read[0]!.data).toEqual(data);
      expect(read[0]!.meta).toEqual({ actor: 'anne', at: '2026-11-28T10:00:00.000Z', tenant, schemaVersion: 1 });
      expect(read[0]!.prevHash).toBe(GENESIS_HASH);
      expect(read[1]!.prevHash).toBe(read[0]!.hash);
      expect(read[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(read[1]!.position > read[0]!.position).toBe(true);
    });

    it('hands out events of the reader’s own: changing one read changes no other', async () => {
      const s = stream();
      const data = { title: 'kept', nested: { fileName: 'kept.pdf' } };
      (await store.append(s, [event(tenant, 'A', data)], 'no-stream'))._unsafeUnwrap();
      const first = (await store.readStream(s))._unsafeUnwrap()[0]!;
      const d = first.data as { title: string; nested: { fileName: string } };
      d.title = 'changed';
      d.nested.fileName = 'changed.pdf';
      expect((await store.readStream(s))._unsafeUnwrap()[0]!.data).toEqual(data);
      const all = (await store.readAll({ tenant, limit: 1000 }))._unsafeUnwrap().find((e) => e.stream === s)!;
      expect(all.data).toEqual(data);
    });

    it('reads a missing stream as empty', async () => {
      expect((await store.readStream(stream()))._unsafeUnwrap()).toEqual([]);
    });

    it('checks the expected version: no-stream, exact revision, any', async () => {
      const s = stream();
      await store.append(s, [event(tenant)], 'no-stream');
      expect((await store.append(s, [event(tenant)], 'no-stream'))._unsafeUnwrapErr()).toMatchObject({ code: 'WRONG_EXPECTED_VERSION', actual: 0 });
      expect((await store.append(s, [event(tenant)], { revision: 5 }))._unsafeUnwrapErr().code).toBe('WRONG_EXPECTED_VERSION');
      expect((await store.append(s, [event(tenant)], { revision: 0 }))._unsafeUnwrap().lastRevision).toBe(1);
      expect((await store.append(s, [event(tenant)], 'any'))._unsafeUnwrap().lastRevision).toBe(2);
      expect((await store.append(stream(), [event(tenant)], { revision: 0 }))._unsafeUnwrapErr().code).toBe('WRONG_EXPECTED_VERSION');
    });

    it('an empty append writes nothing and only checks the expectation', async () => {
      const s = stream();
      expect((await store.append(s, [], 'no-stream'))._unsafeUnwrap().lastRevision).toBe(-1);
      await store.append(s, [event(tenant)], 'no-stream');
      expect((await store.append(s, [], { revision: 0 }))._unsafeUnwrap().lastRevision).toBe(0);
      expect((await store.append(s, [], 'no-stream'))._unsafeUnwrapErr()).toMatchObject({ code: 'WRONG_EXPECTED_VERSION', actual: 0 });
      expect((await store.readStream(s))._unsafeUnwrap()).toHaveLength(1);
    });

    it('of two appends with the same expected version, exactly one wins', async () => {
      const s = stream();
      await store.append(s, [event(tenant)], 'no-stream');
      const results = await Promise.all(Array.from({ length: 5 }, () => store.append(s, [event(tenant)], { revision: 0 })));
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      expect(results.filter((r) => r.isErr()).every((r) => r._unsafeUnwrapErr().code === 'WRONG_EXPECTED_VERSION')).toBe(true);
      expect((await store.readStream(s))._unsafeUnwrap()).toHaveLength(2);
    });

    it('a retried append with the same event ids writes nothing twice', async () => {
      const s = stream();
      const batch = [event(tenant), event(tenant)];
      await store.append(s, batch, 'no-stream');
      const retry = await store.append(s, batch, 'no-stream');
      expect(retry.isOk()).toBe(true);
      expect((await store.readStream(s))._unsafeUnwrap()).toHaveLength(2);
    });

    it('appends to several streams at once, each checked against its own expectation: one that fails is not written, the others are', async () => {
      const [fresh, existing, taken] = [stream(), stream(), stream()];
      await store.append(existing, [event(tenant, 'Before')], 'no-stream');
      await store.append(taken, [event(tenant, 'Before')], 'no-stream');
      const results = (
        await store.appendMany([
          { stream: fresh, events: [event(tenant, 'A'), event(tenant, 'B')], expected: 'no-stream' },
          { stream: existing, events: [event(tenant, 'C')], expected: { revision: 0 } },
          { stream: taken, events: [event(tenant, 'Lost')], expected: 'no-stream' },
          // The same stream again in the batch: it sees the append before it.
          { stream: fresh, events: [event(tenant, 'D')], expected: { revision: 1 } },
        ])
      )._unsafeUnwrap();
      expect(results.map((r) => (r.isOk() ? r.value.lastRevision : r.error.code))).toEqual([1, 1, 'WRONG_EXPECTED_VERSION', 2]);
      expect(results[2]!._unsafeUnwrapErr()).toMatchObject({ stream: taken, actual: 0 });
      const read = async (s: string) => (await store.readStream(s))._unsafeUnwrap();
      expect((await read(fresh)).map((e) => e.type)).toEqual(['A', 'B', 'D']);
      expect((await read(existing)).map((e) => e.type)).toEqual(['Before', 'C']);
      expect((await read(taken)).map((e) => e.type)).toEqual(['Before']);
      // Chained and ordered like single appends.
      const f = await read(fresh);
      expect(f[2]!.prevHash).toBe(f[1]!.hash);
      expect(results[3]!._unsafeUnwrap().position > results[1]!._unsafeUnwrap().position).toBe(true);
      expect((await store.appendMany([]))._unsafeUnwrap()).toEqual([]);
    });

    it('an appendMany retried with the same event ids writes nothing twice', async () => {
      const [a, b] = [stream(), stream()];
      const batch = [
        { stream: a, events: [event(tenant)], expected: 'no-stream' as const },
        { stream: b, events: [event(tenant), event(tenant)], expected: 'no-stream' as const },
      ];
      (await store.appendMany(batch))._unsafeUnwrap();
      const again = (await store.appendMany(batch))._unsafeUnwrap();
      expect(again.map((r) => r._unsafeUnwrap().lastRevision)).toEqual([0, 1]);
      expect((await store.readStream(a))._unsafeUnwrap()).toHaveLength(1);
      expect((await store.readStream(b))._unsafeUnwrap()).toHaveLength(2);
    });

    it('reads all events after a position, in order, by tenant, with a limit', async () => {
      const other = `o${randomUUID().slice(0, 8)}`;
      const s1 = stream();
      const first = (await store.append(s1, [event(tenant, 'First')], 'no-stream'))._unsafeUnwrap();
      await store.append(`${other}:document:${randomUUID()}`, [event(other, 'Elsewhere')], 'no-stream');
      await store.append(stream(), [event(tenant, 'Second'), event(tenant, 'Third')], 'no-stream');
      const mine = (await store.readAll({ after: first.position, limit: 100, tenant }))._unsafeUnwrap();
      expect(mine.map((e) => e.type)).toEqual(['Second', 'Third']);
      const everything = (await store.readAll({ after: first.position, limit: 100 }))._unsafeUnwrap();
      expect(everything.map((e) => e.type)).toEqual(expect.arrayContaining(['Elsewhere', 'Second', 'Third']));
      const positions = everything.map((e) => e.position);
      expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect((await store.readAll({ after: first.position, limit: 1, tenant }))._unsafeUnwrap().map((e) => e.type)).toEqual(['Second']);
    });

    it('reads only the types asked, by tenant, in order, page after page', async () => {
      const other = `o${randomUUID().slice(0, 8)}`;
      const start = (await store.append(stream(), [event(tenant, 'Before')], 'no-stream'))._unsafeUnwrap();
      const types = ['Wanted', 'AlsoWanted'];
      for (let i = 0; i < 7; i++) {
        await store.append(stream(), [event(tenant, 'Noise'), event(tenant, types[i % 2]!, { i }), event(tenant, 'Noise')], 'no-stream');
        await store.append(`${other}:document:${randomUUID()}`, [event(other, 'Wanted', { i: -1 })], 'no-stream');
      }
      const pages: number[][] = [];
      let after = start.position;
      for (;;) {
        const page = (await store.readAll({ after, limit: 3, tenant, types }))._unsafeUnwrap();
        pages.push(page.map((e) => (e.data as { i: number }).i));
        expect(page.every((e) => types.includes(e.type) && e.meta.tenant === tenant)).toBe(true);
        if (page.length < 3) break;
        after = page[page.length - 1]!.position;
      }
      expect(pages).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    });

    it('hands over the documents a school year starts, each whole, of this school only', async () => {
      const other = `o${randomUUID().slice(0, 8)}`;
      // A year no other test of the suite writes.
      const year = '2091-2092';
      const document = (id: string) => `${tenant}:document:${id}-${randomUUID()}`;
      const deposited = (t = tenant, y = year) => event(t, 'DocumentDeposited', { year: y });
      const a = document('a');
      const c = document('c');
      await store.append(a, [deposited(), event(tenant, 'MemoChanged', { year: '2092-2093' })], 'no-stream');
      await store.append(document('b'), [deposited(tenant, '2092-2093')], 'no-stream');
      await store.append(c, [event(tenant, 'DocumentCarriedOver', { year })], 'no-stream');
      await store.append(document('d'), [event(tenant, 'Other', { year }), deposited()], 'no-stream');
      await store.append(`${tenant}:locker:${randomUUID()}`, [deposited()], 'no-stream');
      await store.append(`${other}:document:${randomUUID()}`, [deposited(other)], 'no-stream');
      const seen: string[] = [];
      for await (const batch of store.readDocumentsOfYear(tenant, year)) for (const events of batch) seen.push(`${events[0]!.stream}:${events.map((e) => e.type).join(',')}`);
      expect(seen.sort()).toEqual([`${a}:DocumentDeposited,MemoChanged`, `${c}:DocumentCarriedOver`].sort());
    });

    it('answers a ping', async () => {
      expect((await store.ping()).isOk()).toBe(true);
    });
  });
};
