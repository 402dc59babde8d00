import type { IdGenerator } from './ports/id-generator.js';

/**
 * Stream names carry the tenant and opaque ids only: a stream name outlives every deletion, so no
 * name, e-mail or directory id a school chose may appear in one. Directory ids are hashed.
 */
/** Where a school's documents' streams are named: each is this and the document's id. */
export const documentStreamPrefix = (tenant: string) => `${tenant}:document:`;

/** The events that start a document in a school year (its `year` field), deposited or carried. */
export const YEAR_START = { types: ['DocumentDeposited', 'DocumentCarriedOver'], field: 'year' } as const;

export const streams = (ids: IdGenerator) => ({
  document: (tenant: string, documentId: string) => `${documentStreamPrefix(tenant)}${documentId}`,
  locker: (tenant: string, userId: string) => `${tenant}:locker:${ids.derive('locker', tenant, userId)}`,
  settings: (tenant: string) => `${tenant}:settings`,
  directory: (tenant: string) => `${tenant}:directory`,
  mailLease: (tenant: string) => `${tenant}:mail-lease`,
  webhooks: (tenant: string) => `${tenant}:webhooks`,
  erasures: (tenant: string) => `${tenant}:erasures`,
  webhookLease: (tenant: string) => `${tenant}:webhook-lease`,
  sweepLease: (tenant: string) => `${tenant}:sweep-lease`,
  collection: (tenant: string, collectionId: string) => `${tenant}:collection:${collectionId}`,
  scans: (tenant: string) => `${tenant}:scans`,
  /** The streams that are the deployment's, not a school's: no tenant may be named like them (TENANT_PATTERN). */
  snapshotLease: () => `${CELL}:snapshot-lease`,
  schoolMoves: () => `${CELL}:school-moves`,
});

/** Who owns what belongs to the deployment (the cell) rather than to a school: leases of jobs that run once for all. */
export const CELL = '_cell';

export type Streams = ReturnType<typeof streams>;

export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The streams that hold leases (mail, webhooks, the sweep, snapshots): only their last take matters. */
export const isLeaseStream = (stream: string): boolean => /:(mail|webhook|sweep|snapshot)-lease$/.test(stream);
