import type { ResultAsync } from 'neverthrow';
import type { EventStore, StoreError } from '../../application/ports/event-store.js';
import { keyTenant } from '../../application/ports/key-store.js';
import { scanLog } from '../../application/read-log.js';
import { keysNamedBy } from './shredding-event-store.js';

/** A data key whose sealed fields lie in the events of more than one school. */
export type SharedKey = { readonly keyId: string; readonly tenants: readonly string[]; readonly subjects: readonly string[]; readonly events: number };

/**
 * The keys two or more tenants' events name (ADR 37). Before ADR 37 a process sealing for two
 * schools within a minute sealed a person id they share under one key, and fields sealed one by
 * one before ADR 24 used a key named after the subject alone: erasing the person in one school
 * would erase them in the other. Given the log as stored (sealed), no key is asked for.
 */
export const findSharedKeys = (events: Pick<EventStore, 'readAll'>): ResultAsync<{ examined: number; shared: SharedKey[] }, StoreError> => {
  const uses = new Map<string, { tenants: Set<string>; subjects: Set<string>; events: number }>();
  let examined = 0;
  return scanLog(events, {}, (event) => {
    examined += 1;
    for (const { subject, keyId } of keysNamedBy(event)) {
      let use = uses.get(keyId);
      if (!use) uses.set(keyId, (use = { tenants: new Set(), subjects: new Set(), events: 0 }));
      use.tenants.add(event.meta.tenant);
      use.subjects.add(subject);
      use.events += 1;
    }
  }).map(() => ({
    examined,
    shared: [...uses]
      // A key that names its tenant is only ever opened in that tenant's events (the sealing store checks).
      .filter(([keyId, use]) => use.tenants.size > 1 && keyTenant(keyId) === undefined)
      .map(([keyId, use]) => ({ keyId, tenants: [...use.tenants].sort(), subjects: [...use.subjects].sort(), events: use.events })),
  }));
};
