import { createHash } from 'node:crypto';
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
  createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ stream, revision, id: event.id, type: event.type, data: event.data, meta: event.meta }))
    .digest('hex');
