import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { CloudCredentials, CredentialStore } from '../../application/ports/credential-store.js';
import { readObjectWithin, s3Client, withinMs } from './s3-client.js';

export type S3CredentialOptions = { endpoint: string; region?: string | undefined; bucket: string; accessKey: string; secretKey: string; timeoutMs: number };

type Stored = { readonly cloudId: string; readonly linkedAt: string; readonly sealed: string };

/**
 * Cloud credentials and webhook secrets as objects under `credentials/` in the deployment's bucket,
 * so every node sees what a person linked on any of them. One object per (tenant, person, cloud),
 * named by hashes (no id a school chose appears), holding the link's date and the user name and
 * password sealed together with AES-256-GCM under LOCKER_SECRETS_KEY, with tenant, person and cloud
 * as associated data: an object copied under another name does not open. Every call is bounded; a
 * store that does not answer rejects (503), it never reads as "not linked". The bucket must not keep
 * old versions of objects, or an unlinked password would stay in one (ADR 25).
 */
export const s3CredentialStore = (options: S3CredentialOptions, key: Buffer): CredentialStore => {
  const client = s3Client(options, { idleTimeoutMs: options.timeoutMs });
  const hash = (text: string) => createHash('sha256').update(text).digest('hex');
  const personPrefix = (tenant: string, userId: string) => `credentials/${hash(JSON.stringify([tenant, userId]))}/`;
  const name = (tenant: string, userId: string, cloudId: string) => `${personPrefix(tenant, userId)}${hash(cloudId)}`;
  const aad = (tenant: string, userId: string, cloudId: string) => Buffer.from(JSON.stringify([tenant, userId, cloudId]));
  const bounded = <T>(work: Promise<T>): Promise<T> => withinMs(work, options.timeoutMs, 'the credential store');
  const missing = (e: unknown) => ['NoSuchKey', 'NotFound'].includes((e as { code?: string }).code ?? '');

  const read = async (object: string): Promise<Stored | undefined> => {
    try {
      // The body is bounded too (a few hundred bytes are expected): headers then a stall must not hang the caller.
      const body = await readObjectWithin(() => client.getObject(options.bucket, object), options.timeoutMs, 64 * 1024, 'the credential store');
      return JSON.parse(body.toString('utf8')) as Stored;
    } catch (e) {
      if (missing(e)) return undefined;
      throw e;
    }
  };
  const open = (stored: Stored, tenant: string, userId: string): CloudCredentials | undefined => {
    try {
      const sealed = Buffer.from(stored.sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12)).setAAD(aad(tenant, userId, stored.cloudId));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8')) as CloudCredentials;
    } catch {
      // Another key, or an object moved: unreadable, as if unlinked.
      return undefined;
    }
  };
  /** The person's objects, every page of the listing bounded. */
  const namesOf = async (tenant: string, userId: string): Promise<string[]> => {
    const it = client.listObjectsV2(options.bucket, personPrefix(tenant, userId), true)[Symbol.asyncIterator]();
    const names: string[] = [];
    try {
      for (;;) {
        const next = (await bounded(it.next())) as IteratorResult<{ name?: string }>;
        if (next.done) return names;
        if (next.value.name) names.push(next.value.name);
      }
    } finally {
      void Promise.resolve(it.return?.()).catch(() => undefined);
    }
  };
  const remove = async (object: string): Promise<boolean> => {
    const existed = (await read(object)) !== undefined;
    await bounded(client.removeObject(options.bucket, object));
    return existed;
  };

  return {
    put: async (tenant, userId, cloudId, credentials, at) => {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad(tenant, userId, cloudId));
      const body = Buffer.concat([cipher.update(JSON.stringify({ username: credentials.username, password: credentials.password }), 'utf8'), cipher.final()]);
      const stored: Stored = { cloudId, linkedAt: at, sealed: Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64') };
      const bytes = Buffer.from(JSON.stringify(stored));
      await bounded(client.putObject(options.bucket, name(tenant, userId, cloudId), bytes, bytes.length, { 'Content-Type': 'application/json' }));
    },
    get: async (tenant, userId, cloudId) => {
      const stored = await read(name(tenant, userId, cloudId));
      return stored && stored.cloudId === cloudId ? open(stored, tenant, userId) : undefined;
    },
    list: async (tenant, userId) => {
      const links: { cloudId: string; username: string; linkedAt: string }[] = [];
      for (const object of await namesOf(tenant, userId)) {
        const stored = await read(object);
        const credentials = stored && open(stored, tenant, userId);
        if (stored && credentials) links.push({ cloudId: stored.cloudId, username: credentials.username, linkedAt: stored.linkedAt });
      }
      return links.sort((a, b) => a.cloudId.localeCompare(b.cloudId));
    },
    delete: (tenant, userId, cloudId) => remove(name(tenant, userId, cloudId)),
    deleteAll: async (tenant, userId) => {
      let n = 0;
      for (const object of await namesOf(tenant, userId)) if (await remove(object)) n += 1;
      return n;
    },
    close: () => undefined,
  };
};
