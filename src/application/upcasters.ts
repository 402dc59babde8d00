import type { ReplayedEvent } from './ports/event-store.js';

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Before classes and groups were followed, a class was resolved once: everyone it reached then is
 * read as named, so nobody loses a document they had; joiners of its classes still receive it.
 */
const namedAll: Upcaster = (data) => ({ ...data, named: data['recipientIds'] ?? [], groups: [] });

/**
 * Event shapes change; stored events never do. Each type has a current schema version, and a chain
 * of upcasters lifts an older event one version at a time when it is read, by the aggregates and
 * the projections alike. Auditors read events as they were stored.
 */
const UPCASTERS: Record<string, Record<number, Upcaster>> = {
  // v2: a deposit says where its file came from, for documents recovered from a Cloud drive.
  // Everything deposited before came from an upload.
  // v3: how recipients were addressed (named, classes, groups), for the directory to be followed.
  DocumentDeposited: { 1: (data) => ({ ...data, source: 'upload' }), 2: namedAll },
  RecipientAdded: { 1: namedAll },
  DocumentCarriedOver: { 1: (data) => ({ ...namedAll(data), classes: [] }) },
};

/** Asked for every event read and appended: computed once per type. */
const CURRENT = new Map(Object.entries(UPCASTERS).map(([type, steps]) => [type, Math.max(...Object.keys(steps).map(Number)) + 1]));

export const currentSchemaVersion = (type: string): number => CURRENT.get(type) ?? 1;

export const upcast = <E extends ReplayedEvent>(event: E): E => {
  const target = currentSchemaVersion(event.type);
  let version = event.meta.schemaVersion;
  if (version >= target) return event;
  let data = event.data as Record<string, unknown>;
  for (; version < target; version++) {
    const step = UPCASTERS[event.type]?.[version];
    if (step) data = step(data);
  }
  return { ...event, data, meta: { ...event.meta, schemaVersion: target } };
};
