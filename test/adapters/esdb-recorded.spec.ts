import { describe, expect, it } from 'vitest';
import { toRecorded } from '../../src/adapters/eventstoredb/esdb-event-store.js';

const HASH = 'a'.repeat(64);
const meta = { actor: 'anne', at: '2026-12-01T10:00:00.000Z', tenant: 'school', schemaVersion: 2, prevHash: 'b'.repeat(64), hash: HASH };
const resolved = (over: Record<string, unknown> = {}, metadata: unknown = meta) =>
  ({ event: { id: 'e-1', type: 'MemoChanged', streamId: 'school:document:d1', revision: 3n, isJson: true, data: { documentId: 'd1' }, metadata, position: { commit: 10n, prepare: 10n }, ...over } }) as never;

/** A stored event of ours is read only when every field the envelope needs is there and of its kind (issue 31 item 13). */
describe('reading a stored EventStoreDB event', () => {
  it('reads a well-formed one, packing its position', () => {
    expect(toRecorded(resolved())).toMatchObject({ id: 'e-1', stream: 'school:document:d1', revision: 3, meta: { actor: 'anne', tenant: 'school', schemaVersion: 2 }, prevHash: 'b'.repeat(64), hash: HASH, position: (10n << 64n) + 10n });
    // Written before the schema version and the previous hash were kept: 1 and the genesis.
    const old = toRecorded(resolved({}, { actor: 'anne', at: meta.at, tenant: 'school', hash: HASH }));
    expect(old).toMatchObject({ meta: { schemaVersion: 1 }, prevHash: '0'.repeat(64) });
  });

  it.each([
    ['a link to a deleted event', { event: undefined }, meta, 'no event (a link to a deleted one)'],
    ['binary data', { isJson: false }, meta, 'its data is not JSON'],
    ['null data', { data: null }, meta, 'its data is not JSON'],
    ['no metadata', {}, null, 'it has no metadata'],
    ['metadata as text', {}, 'x', 'it has no metadata'],
    ['no tenant', {}, { ...meta, tenant: undefined }, 'its metadata names no tenant'],
    ['an empty tenant', {}, { ...meta, tenant: '' }, 'its metadata names no tenant'],
    ['no hash', {}, { ...meta, hash: undefined }, 'its metadata has no chain hash'],
    ['a hash that is not one', {}, { ...meta, hash: 'zz' }, 'its metadata has no chain hash'],
    ['a previous hash that is not one', {}, { ...meta, prevHash: 42 }, 'its previous hash is not a hash'],
    ['no actor', {}, { ...meta, actor: undefined }, 'its metadata names no actor'],
    ['an empty actor', {}, { ...meta, actor: '' }, 'its metadata names no actor'],
    ['no time', {}, { ...meta, at: undefined }, 'its metadata has no valid time'],
    ['a time that is not one', {}, { ...meta, at: 'yesterday' }, 'its metadata has no valid time'],
    ['a schema version that is not a number', {}, { ...meta, schemaVersion: '2' }, 'its schema version is not a number'],
  ])('refuses %s, saying why', (_, over, metadata, why) => {
    const event = 'event' in over ? ({ event: undefined } as never) : resolved(over, metadata);
    expect(toRecorded(event)).toBe(why);
  });
});
