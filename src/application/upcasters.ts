import type { RecordedEvent } from './ports/event-store.js';

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Event shapes change; stored events never do. Each type has a current schema version, and a chain
 * of upcasters lifts an older event one version at a time when it is read, by the aggregates and
 * the projections alike. Auditors read events as they were stored.
 */
const UPCASTERS: Record<string, Record<number, Upcaster>> = {
  // v2: a deposit says where its file came from, for documents recovered from a Cloud drive.
  // Everything deposited before came from an upload.
  DocumentDeposited: { 1: (data) => ({ ...data, source: 'upload' }) },
};

export const currentSchemaVersion = (type: string): number => {
  const steps = UPCASTERS[type];
  return steps ? Math.max(...Object.keys(steps).map(Number)) + 1 : 1;
};

export const upcast = (event: RecordedEvent): RecordedEvent => {
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
