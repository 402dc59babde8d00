import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readObjectWithin, s3Client, withinMs } from './s3-client.js';
import { keyTenant, tenantKeyId, type KeyStore } from '../../application/ports/key-store.js';

export type S3KeyOptions = { endpoint: string; region?: string | undefined; bucket: string; accessKey: string; secretKey: string; timeoutMs: number; cacheMs?: number; cachedKeys?: number };

/** Keys made ahead per tenant, in parallel: a new subject waits for no PUT of its own while some are ready. */
const READY = 8;
/** Tenants with keys made ahead at once; the least recently served one's are given back past this. */
const TENANTS_READY = 256;
/** Entries of the found-keys cache: a rebuild reads every key, and they must not all stay. */
const CACHED_KEYS = 100_000;

/**
 * Data keys as objects under `keys/` in the deployment's bucket, shared by every node. Object names
 * are hashes of the key ids (no id a school chose appears). A found key is cached per process for
 * `cacheMs` (a minute), so a key another node deleted stops opening fields here within that time.
 * Fresh keys are random ids, written only if absent (`If-None-Match`), `READY` at a time ahead of
 * need; those never handed out are deleted at close (ADR 24).
 */
export const s3KeyStore = (options: S3KeyOptions): KeyStore => {
  const client = s3Client(options, { idleTimeoutMs: options.timeoutMs });
  const cacheMs = options.cacheMs ?? 60_000;
  const cache = new Map<string, { key: Buffer; until: number }>();
  const remember = (id: string, key: Buffer) => {
    if (cache.size >= (options.cachedKeys ?? CACHED_KEYS)) cache.delete(cache.keys().next().value!);
    cache.set(id, { key, until: Date.now() + cacheMs });
  };
  const hash = (text: string) => createHash('sha256').update(text).digest('hex');
  /** A tenant's keys live under its own folder (ADR 37); keys made before named none. */
  const name = (id: string) => {
    const tenant = keyTenant(id);
    return tenant ? `keys/${tenant}/${hash(id)}` : `keys/${hash(id)}`;
  };
  const bounded = <T>(work: Promise<T>): Promise<T> => withinMs(work, options.timeoutMs, 'the key store');
  const read = async (id: string): Promise<Buffer | undefined> => {
    const cached = cache.get(id);
    if (cached && cached.until > Date.now()) return cached.key;
    try {
      // The body is bounded too: headers sent and then a stall must not hold a replay for ever.
      const key = await readObjectWithin(() => client.getObject(options.bucket, name(id)), options.timeoutMs, 64, 'the key store');
      if (key.length !== 32) throw new Error(`the key store holds ${key.length} bytes for a key, not 32`);
      remember(id, key);
      return key;
    } catch (e) {
      if ((e as { code?: string }).code === 'NoSuchKey' || (e as { code?: string }).code === 'NotFound') return undefined;
      throw e;
    }
  };
  const make = async (tenant: string): Promise<{ id: string; key: Buffer }> => {
    const id = tenantKeyId(tenant, randomUUID());
    const key = randomBytes(32);
    // A random id is never taken; If-None-Match makes sure of it rather than overwrite a key.
    await bounded(client.putObject(options.bucket, name(id), key, 32, { 'If-None-Match': '*' } as never));
    return { id, key };
  };
  type Pending = Promise<{ id: string; key: Buffer }>;
  /** Per tenant, keys being made or made, in order; most recently served tenant last. */
  const pools = new Map<string, Pending[]>();
  /** Keys of the pools whose creation has finished. */
  const made = new Map<Promise<unknown>, { id: string; key: Buffer }>();
  const poolOf = (tenant: string): Pending[] => {
    let pool = pools.get(tenant);
    if (pool) pools.delete(tenant);
    else pool = [];
    pools.set(tenant, pool);
    if (pools.size > TENANTS_READY) {
      const [oldest, keys] = pools.entries().next().value!;
      pools.delete(oldest);
      giveBack(keys);
    }
    return pool;
  };
  const topUp = (tenant: string, pool: Pending[]) => {
    while (pool.length < READY) {
      const next = make(tenant);
      next.then(
        (k) => made.set(next, k),
        // A failed creation leaves the pool at once, so one blip of the store does not fail the
        // next READY subjects once it is back (the caller of fresh() who took it sees the error).
        () => {
          const at = pool.indexOf(next);
          if (at >= 0) pool.splice(at, 1);
        },
      );
      pool.push(next);
    }
  };
  /** Keys made ahead and never used: nothing was sealed with them. */
  const giveBack = (pending: Pending[]) => {
    for (const next of pending.splice(0)) {
      made.delete(next);
      void next.then((k) => client.removeObject(options.bucket, name(k.id))).catch(() => undefined);
    }
  };
  return {
    fresh: async (tenant) => {
      const pool = poolOf(tenant);
      topUp(tenant, pool);
      const next = pool.shift()!;
      made.delete(next);
      topUp(tenant, pool);
      const k = await next;
      remember(k.id, k.key);
      return k;
    },
    ready: (tenant) => {
      const pool = poolOf(tenant);
      topUp(tenant, pool);
      const index = pool.findIndex((p) => made.has(p));
      if (index < 0) return undefined;
      const [next] = pool.splice(index, 1);
      const k = made.get(next!)!;
      made.delete(next!);
      topUp(tenant, pool);
      remember(k.id, k.key);
      return k;
    },
    findAll: async (ids) => {
      const out = new Map<string, Buffer>();
      const queue = [...ids];
      // Sixteen GETs at a time: a replay's thousands of keys neither one by one nor all at once.
      await Promise.all(
        Array.from({ length: Math.min(16, queue.length) }, async () => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            const key = await read(id);
            if (key) out.set(id, key);
          }
        }),
      );
      return out;
    },
    put: async (keys) => {
      const queue = [...keys];
      await Promise.all(
        Array.from({ length: Math.min(16, queue.length) }, async () => {
          for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
            const { id, key } = next;
            if (key.length !== 32) throw new Error(`key ${id} has ${key.length} bytes, not 32`);
            try {
              // Written only if absent: a key here already is compared, never overwritten.
              await bounded(client.putObject(options.bucket, name(id), key, 32, { 'If-None-Match': '*' } as never));
            } catch (e) {
              if ((e as { code?: string }).code !== 'PreconditionFailed') throw e;
              cache.delete(id);
              const held = await read(id);
              if (!held?.equals(key)) throw new Error(`key ${id} is already here with other bytes: it is never replaced`);
            }
          }
        }),
      );
    },
    delete: async (ids) => {
      let existed = 0;
      for (const id of ids) {
        cache.delete(id);
        if ((await read(id)) !== undefined) existed += 1;
        cache.delete(id);
        await bounded(client.removeObject(options.bucket, name(id)));
      }
      return existed;
    },
    close: () => {
      for (const pool of pools.values()) giveBack(pool);
      pools.clear();
    },
  };
};
