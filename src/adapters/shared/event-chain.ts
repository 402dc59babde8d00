import * as crypto from 'node:crypto';
import type { NewEvent } from '../../application/ports/event-store.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same event always hashes the same. */
export const canonicalJson = (value: unknown): string => {
  // Written as loops: the audit verifier runs this once per stored event.
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
};

/**
 * Each event's hash covers the previous event's hash of its stream and this event's canonical JSON,
 * so changing, removing or reordering any stored event breaks every hash after it.
 */
export const chainHash = (prevHash: string, stream: string, revision: number, event: NewEvent): string =>
  chainHashOfCanonical(prevHash, stream, revision, event.id, event.type, canonicalJson(event.data), canonicalJson(event.meta));

/**
 * The same hash from data and meta already in canonical JSON: the canonical form of the whole
 * event is then a concatenation (keys in sorted order: data, id, meta, revision, stream, type).
 */
export const chainHashOfCanonical = (
  prevHash: string,
  stream: string,
  revision: number,
  id: string,
  type: string,
  dataJson: string,
  metaJson: string,
): string =>
  sha256Hex(
    `${prevHash}\n{"data":${dataJson},"id":${JSON.stringify(id)},"meta":${metaJson},"revision":${revision},"stream":${JSON.stringify(stream)},"type":${JSON.stringify(type)}}`,
  );

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string;
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** `crypto.hash` (Node ≥ 20.12) hashes a short string in half the time of a Hash object. */
export const sha256Hex = (text: string): string => (oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex'));

export const TENANT_GENESIS = '0'.repeat(64);

/**
 * One link of a tenant's chain: every event of the tenant in the store's global order, with the
 * tenant hashed in, over the event's own (per-stream) hash. A stream that vanished, a tail cut
 * off, two of the tenant's events swapped, or an event moved to another tenant all change it. No
 * log position is hashed: the same school's events appended in the same order in another cell
 * (ADR 53) chain to the same heads, so checkpoints signed on one cell hold on the other.
 */
export const tenantLink = (prevLink: string, tenant: string, stream: string, revision: number, eventHash: string): string =>
  sha256Hex(`${prevLink}\n${JSON.stringify(tenant)}\n${JSON.stringify(stream)}\n${revision}\n${eventHash}`);

/**
 * The link as chained before ADR 53, with the event's log position hashed in: what checkpoints
 * signed then name. It holds only on the cell that signed them.
 */
export const positionedTenantLink = (prevLink: string, tenant: string, position: string, stream: string, revision: number, eventHash: string): string =>
  sha256Hex(`${prevLink}\n${JSON.stringify(tenant)}\n${position}\n${JSON.stringify(stream)}\n${revision}\n${eventHash}`);
