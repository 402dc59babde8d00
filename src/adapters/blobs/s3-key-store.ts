import { createHash, randomBytes } from 'node:crypto';
import { s3Client } from './s3-client.js';
import type { KeyStore } from '../../application/ports/key-store.js';

export type S3KeyOptions = { endpoint: string; region?: string | undefined; bucket: string; accessKey: string; secretKey: string; timeoutMs: number; cacheMs?: number };

/**
 * Data keys as objects under `keys/` in the deployment's bucket, shared by every node. Object names
 * are hashes of the subjects (no id a school chose appears). A key is cached per process for
 * `cacheMs` (a minute), so a key another node deleted stops opening fields here within that time.
 * Creating one writes it only if absent (`If-None-Match`), so two nodes sealing for the same new
 * subject at once end up with one key.
 */
export const s3KeyStore = (options: S3KeyOptions): KeyStore => {
  const client = s3Client(options);
  const cacheMs = options.cacheMs ?? 60_000;
  const cache = new Map<string, { key: Buffer; until: number }>();
  const name = (subject: string) => `keys/${createHash('sha256').update(subject).digest('hex')}`;
  const bounded = <T>(work: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the key store did not answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      work.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e) => (clearTimeout(timer), reject(e)),
      );
    });
  const read = async (subject: string): Promise<Buffer | undefined> => {
    const cached = cache.get(subject);
    if (cached && cached.until > Date.now()) return cached.key;
    try {
      const stream = await bounded(client.getObject(options.bucket, name(subject)));
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const key = Buffer.concat(chunks);
      cache.set(subject, { key, until: Date.now() + cacheMs });
      return key;
    } catch (e) {
      if ((e as { code?: string }).code === 'NoSuchKey' || (e as { code?: string }).code === 'NotFound') return undefined;
      throw e;
    }
  };
  // Two requests of this process sealing for the same new subject share one creation.
  const making = new Map<string, Promise<Buffer>>();
  const make = async (subject: string): Promise<Buffer> => {
      const known = await read(subject);
      if (known) return known;
      try {
        await bounded(client.putObject(options.bucket, name(subject), randomBytes(32), 32, { 'If-None-Match': '*' } as never));
      } catch (e) {
        // Another node made it first: theirs is the key.
        if (![412, 409].includes((e as { code?: string; statusCode?: number }).statusCode ?? 0) && (e as { code?: string }).code !== 'PreconditionFailed') throw e;
      }
      const made = await read(subject);
      if (!made) throw new Error('the key store lost a key it just stored');
      return made;
  };
  return {
    find: read,
    keyFor: (subject) => {
      const cached = cache.get(subject);
      if (cached && cached.until > Date.now()) return Promise.resolve(cached.key);
      let pending = making.get(subject);
      if (!pending) {
        pending = make(subject).finally(() => making.delete(subject));
        making.set(subject, pending);
      }
      return pending;
    },
    delete: async (subject) => {
      cache.delete(subject);
      const existed = (await read(subject)) !== undefined;
      cache.delete(subject);
      await bounded(client.removeObject(options.bucket, name(subject)));
      return existed;
    },
    close: () => undefined,
  };
};
