import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { Client } from 'minio';

export type S3Connection = { readonly endpoint: string; readonly region?: string | undefined; readonly accessKey: string; readonly secretKey: string };

/**
 * The sockets the client's requests run on: one that carries nothing either way for `idleMs` is
 * destroyed. minio 8 never aborts a request itself: a call our timer gave up on would otherwise keep
 * its socket (and an 8 MiB part) for as long as a silent server keeps it open (ADR 39).
 */
export const idleClosingAgent = (https: boolean, idleMs: number): HttpAgent => {
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const create = (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection.bind(agent);
  (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection = (...args: unknown[]) => {
    const socket = create(...args);
    socket.setTimeout(idleMs, () => socket.destroy(new Error(`the S3 endpoint sent nothing for ${idleMs} ms`)));
    return socket;
  };
  return agent;
};

/** A minio client for an S3 endpoint URL: path-style, TLS when the URL says https, the region only when given. */
export const s3Client = (options: S3Connection, extra: { partSize?: number; idleTimeoutMs?: number } = {}): Client => {
  const url = new URL(options.endpoint);
  const { idleTimeoutMs, ...rest } = extra;
  return new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    useSSL: url.protocol === 'https:',
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    ...(options.region ? { region: options.region } : {}),
    ...rest,
    ...(idleTimeoutMs ? { transportAgent: idleClosingAgent(url.protocol === 'https:', idleTimeoutMs) } : {}),
    pathStyle: true,
  });
};

/** A call that rejects after `ms` instead of waiting for ever on a silent server: `what` names the store in the error. */
export const withinMs = <T>(work: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    work.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });

/**
 * An object's whole body, at most `maxBytes`, the request and the body together bounded by `ms`:
 * a server that sends the headers and then stalls must not hold the caller for ever. The stream is
 * destroyed when the time or the size runs out, so its socket goes too.
 */
export const readObjectWithin = async (open: () => Promise<NodeJS.ReadableStream>, ms: number, maxBytes: number, what: string): Promise<Buffer> => {
  let stream: (NodeJS.ReadableStream & { destroy?: (e?: Error) => void }) | undefined;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stream?.destroy?.(new Error(`${what} did not answer within ${ms} ms`));
  }, ms);
  try {
    const opening = open();
    // Given up on before it opened: the stream that arrives later is closed, not left with its socket.
    stream = await withinMs(opening, ms, what).catch((e: unknown) => {
      void opening.then((late) => (late as { destroy?: () => void }).destroy?.(), () => undefined);
      throw e;
    });
    if (timedOut) {
      stream.destroy?.();
      throw new Error(`${what} did not answer within ${ms} ms`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        stream.destroy?.();
        throw new Error(`${what} answered more than ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    if (timedOut) throw new Error(`${what} did not answer within ${ms} ms`);
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Why this bucket would keep what is deleted from it (an erased data key, an unlinked password), or
 * undefined when it would not: versioning on (or suspended, with old versions kept), or object lock.
 * A server that does not implement the setting keeps nothing by it. Asked at start (ADR 39).
 */
export const keepsDeletedObjects = async (client: Client, bucket: string, ms: number): Promise<string | undefined> => {
  const absent = (e: unknown) => ['NotImplemented', 'ObjectLockConfigurationNotFoundError', 'NoSuchObjectLockConfiguration'].includes((e as { code?: string }).code ?? '');
  const versioning = await withinMs(client.getBucketVersioning(bucket), ms, 'S3').catch((e: unknown) => (absent(e) ? undefined : Promise.reject(e)));
  const status = (versioning as { Status?: string } | undefined)?.Status;
  if (status === 'Enabled' || status === 'Suspended') return `bucket ${bucket} has versioning ${status.toLowerCase()}: an erased key would stay in an old version (turn it off, or give keys a bucket of their own with LOCKER_S3_KEYS_BUCKET)`;
  const lock = await withinMs(client.getObjectLockConfig(bucket) as unknown as Promise<unknown>, ms, 'S3').catch((e: unknown) => (absent(e) ? undefined : Promise.reject(e)));
  if ((lock as { objectLockEnabled?: string } | undefined)?.objectLockEnabled === 'Enabled') return `bucket ${bucket} has object lock: an erased key could not be deleted (give keys a bucket of their own with LOCKER_S3_KEYS_BUCKET)`;
  return undefined;
};
