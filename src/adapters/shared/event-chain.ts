import { createHash } from 'node:crypto';
import type { NewEvent } from '../../application/ports/event-store.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same event always hashes the same. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
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
