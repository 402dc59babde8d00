import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { s3Client, withinMs } from './s3-client.js';
import type { KeyStore } from '../../application/ports/key-store.js';

export type S3KeyOptions = { endpoint: string; region?: string | undefined; bucket: string; accessKey: string; secretKey: string; timeoutMs: number; cacheMs?: number };

/** Keys made ahead, in parallel: a new subject waits for no PUT of its own while some are ready. */
const READY = 16;

/**
 * Data keys as objects under `keys/` in the deployment's bucket, shared by every node. Object names
 * are hashes of the key ids (no id a school chose appears). A found key is cached per process for
 * `cacheMs` (a minute), so a key another node deleted stops opening fields here within that time.
 * Fresh keys are random ids, written only if absent (`If-None-Match`), `READY` at a time ahead of
 * need; those never handed out are deleted at close (ADR 24).
 */
export const s3KeyStore = (options: S3KeyOptions): KeyStore => {
  const client = s3Client(options);
  const cacheMs = options.cacheMs ?? 60_000;
  const cache = new Map<string, { key: Buffer; until: number }>();
  const name = (id: string) => `keys/${createHash('sha256').update(id).digest('hex')}`;
  const bounded = <T>(work: Promise<T>): Promise<T> => withinMs(work, options.timeoutMs, 'the key store');
  const read = async (id: string): Promise<Buffer | undefined> => {
    const cached = cache.get(id);
    if (cached && cached.until > Date.now()) return cached.key;
    try {
      const stream = await bounded(client.getObject(options.bucket, name(id)));
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const key = Buffer.concat(chunks);
      cache.set(id, { key, until: Date.now() + cacheMs });
      return key;
    } catch (e) {
      if ((e as { code?: string }).code === 'NoSuchKey' || (e as { code?: string }).code === 'NotFound') return undefined;
      throw e;
    }
  };
  const make = async (): Promise<{ id: string; key: Buffer }> => {
    const id = `k:${randomUUID()}`;
    const key = randomBytes(32);
    // A random id is never taken; If-None-Match makes sure of it rather than overwrite a key.
    await bounded(client.putObject(options.bucket, name(id), key, 32, { 'If-None-Match': '*' } as never));
    return { id, key };
  };
  const ready: Promise<{ id: string; key: Buffer }>[] = [];
  /** Keys of `ready` whose creation has finished, in the same order. */
  const made = new Map<Promise<unknown>, { id: string; key: Buffer }>();
  const topUp = () => {
    while (ready.length < READY) {
      const next = make();
      next.then(
        (k) => made.set(next, k),
        // A failed creation is seen by whoever takes it; unhandled meanwhile is not an error.
        () => undefined,
      );
      ready.push(next);
    }
  };
  return {
    fresh: async () => {
      topUp();
      const next = ready.shift()!;
      made.delete(next);
      topUp();
      const k = await next;
      cache.set(k.id, { key: k.key, until: Date.now() + cacheMs });
      return k;
    },
    ready: () => {
      topUp();
      const index = ready.findIndex((p) => made.has(p));
      if (index < 0) return undefined;
      const [next] = ready.splice(index, 1);
      const k = made.get(next!)!;
      made.delete(next!);
      topUp();
      cache.set(k.id, { key: k.key, until: Date.now() + cacheMs });
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
      // Keys made ahead and never used: nothing was sealed with them.
      for (const next of ready.splice(0)) void next.then((k) => client.removeObject(options.bucket, name(k.id))).catch(() => undefined);
    },
  };
};
