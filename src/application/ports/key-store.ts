/**
 * Data keys for crypto-shredding. The personal and descriptive fields of an event are sealed with
 * a key of their subject (`person:<id>`, `doc:<id>`, `collection:<id>`), and the sealed value names
 * the key it was sealed with. Keys are made ahead, in batches, so sealing for a new subject does not
 * wait for a durable write of its own (ADR 24). Every node of a deployment must see the same keys:
 * a key the store cannot be asked about now is an error, never an erasure.
 *
 * Keys sealed before ADR 24 have their subject as their id.
 */
export interface KeyStore {
  /**
   * A key nobody was given before, already durable, of this tenant: its id carries the tenant
   * (`keyTenant` reads it back), so no key is ever shared by two schools. The caller binds it to a
   * subject by using it.
   */
  fresh(tenant: string): Promise<{ readonly id: string; readonly key: Buffer }>;
  /** The same, when one made ahead can be taken now without waiting; undefined otherwise. */
  ready(tenant: string): { readonly id: string; readonly key: Buffer } | undefined;
  /** The keys of these ids that still exist, asked at once: a replay needs thousands. */
  findAll(ids: readonly string[]): Promise<ReadonlyMap<string, Buffer>>;
  /**
   * Keys carried from another deployment under their own ids (a school moving between cells, ADR
   * 54), durable once this resolves. An id already here with the same bytes stays as it is; one
   * with other bytes rejects the whole call: a key is never replaced, or what it sealed would be lost.
   */
  put(keys: readonly { readonly id: string; readonly key: Buffer }[]): Promise<void>;
  /** Deletes these keys for good; answers how many existed. */
  delete(ids: readonly string[]): Promise<number>;
  close(): void;
}

/**
 * What the use cases need of crypto-shredding: a subject's fields made unreadable for good, in the
 * log, its backups and its exports. The log says which keys sealed the subject's fields (the sealed
 * values name them), so `stream` is where the subject's events are.
 */
export interface Shredder {
  shred(tenant: string, subject: string, stream: string): Promise<number>;
  close(): void;
}

/** A key id of a tenant (ADR 37): `k:<tenant>:<unique>`. */
export const tenantKeyId = (tenant: string, unique: string) => `k:${tenant}:${unique}`;
/**
 * The tenant a key id names, or undefined for the ids made before ADR 37 (`k:<unique>`, and a
 * subject's own name before ADR 24), which named none. A tenant name has no colon.
 */
export const keyTenant = (id: string): string | undefined => /^k:([a-z0-9][a-z0-9-]{0,62}):/.exec(id)?.[1];
