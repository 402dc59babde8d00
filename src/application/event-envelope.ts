import type { DomainEvent } from '../domain/index.js';
import type { NewEvent, ReplayedEvent } from './ports/event-store.js';
import type { IdGenerator } from './ports/id-generator.js';
import { currentSchemaVersion, upcast } from './upcasters.js';

export const envelope = (tenant: string, ids: IdGenerator) =>
  (event: DomainEvent<string, unknown>): NewEvent => ({
    id: ids.newId(),
    type: event.type,
    data: event.data,
    meta: { actor: event.actor, at: event.at, tenant, schemaVersion: currentSchemaVersion(event.type) },
  });

/** Back from the log to the domain's shape. The caller knows which stream, hence which union, it read. */
export const toDomain = <E extends DomainEvent<string, unknown>>(stored: ReplayedEvent): E => {
  const recorded = upcast(stored);
  return { type: recorded.type, data: recorded.data, actor: recorded.meta.actor, at: recorded.meta.at } as E;
};
