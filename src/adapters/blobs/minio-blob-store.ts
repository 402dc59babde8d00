import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { Client } from 'minio';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { BlobError, BlobRange, BlobStore, StagedBlob } from '../../application/ports/blob-store.js';
import { blobKey, parseBlobKey } from './blob-keys.js';

export type S3Options = {
  readonly endpoint: string;
  readonly region?: string | undefined;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
};

/** Parts of 8 MiB: the client holds about one part in memory, whatever the file size. */
const PART_SIZE = 8 * 1024 * 1024;

const unavailable = (e: unknown): BlobError => ({ code: 'BLOB_STORE_UNAVAILABLE', message: (e as Error).message ?? String(e) });
const isMissing = (e: unknown) => ['NotFound', 'NoSuchKey', 'NoSuchObject'].includes((e as { code?: string }).code ?? '');

/**
 * Blobs in MinIO or any S3. Bytes are streamed to a staging object (`.staging/<tenant>/<uuid>`)
 * while hashed and counted; a commit copies them server-side to `<tenant>/<sha256>` unless those
 * bytes are already there, then removes the staging object.
 */
export class MinioBlobStore implements BlobStore {
  private readonly client: Client;
  private readonly bucket: string;

  constructor(private readonly options: S3Options) {
    const url = new URL(options.endpoint);
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      useSSL: url.protocol === 'https:',
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region ?? 'us-east-1',
      partSize: PART_SIZE,
      pathStyle: true,
    });
    this.bucket = options.bucket;
  }

  /** Creates the bucket when missing; called once at start, so a wrong endpoint stops the process early. */
  ensureBucket(): ResultAsync<void, BlobError> {
    return ResultAsync.fromPromise(
      (async () => {
        if (!(await this.client.bucketExists(this.bucket))) await this.client.makeBucket(this.bucket, this.options.region ?? 'us-east-1');
      })(),
      unavailable,
    );
  }

  stage(tenant: string, content: AsyncIterable<Uint8Array>, maxBytes: number): ResultAsync<StagedBlob, BlobError> {
    const staging = `.staging/${tenant}/${randomUUID()}`;
    return ResultAsync.fromPromise(this.receive(staging, content, maxBytes), unavailable)
      .andThen((received) =>
        received.failure
          ? ResultAsync.fromPromise(received.uploaded ? this.client.removeObject(this.bucket, staging) : Promise.resolve(), unavailable).andThen(() =>
              errAsync(received.failure!),
            )
          : okAsync(received),
      )
      .map(({ sha256, sizeBytes, uploaded }): StagedBlob => {
        const key = blobKey(tenant, sha256);
        return {
          key,
          sha256,
          sizeBytes,
          commit: () =>
            ResultAsync.fromPromise(
              (async () => {
                if (!uploaded) {
                  if (!(await this.has(key))) await this.client.putObject(this.bucket, key, Buffer.alloc(0), 0);
                  return;
                }
                if (!(await this.has(key))) {
                  try {
                    await this.client.copyObject(this.bucket, key, `/${this.bucket}/${staging}`);
                  } catch (e) {
                    // Another upload of the same bytes may have won the race to this address.
                    if (!(await this.has(key))) throw e;
                  }
                }
                await this.client.removeObject(this.bucket, staging);
              })(),
              unavailable,
            ),
          discard: () => (uploaded ? this.client.removeObject(this.bucket, staging).catch(() => undefined) : Promise.resolve()),
        };
      });
  }

  /**
   * The client pipes our stream into its part splitter without forwarding errors, so a refused or
   * broken upload is not signalled by destroying the stream (the upload would hang): the stream is
   * ended instead, the partial staging object removed, and the failure reported.
   */
  private async receive(staging: string, content: AsyncIterable<Uint8Array>, maxBytes: number) {
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    // Started at the first byte: an empty source never opens an upload (S3 refuses a multipart
    // upload without parts), and its empty object is written at commit.
    let upload: Promise<void> | undefined;
    let uploadError: unknown;
    const startUpload = () =>
      this.client.putObject(this.bucket, staging, body).then(
        () => undefined,
        (e: unknown) => void (uploadError = e),
      );
    const hash = createHash('sha256');
    let sizeBytes = 0;
    let failure: BlobError | undefined;
    try {
      for await (const chunk of content) {
        sizeBytes += chunk.byteLength;
        if (sizeBytes > maxBytes) {
          failure = { code: 'BLOB_TOO_LARGE', maxBytes };
          break;
        }
        hash.update(chunk);
        upload ??= startUpload();
        // If the server fails the upload, nobody drains `body` any more: stop waiting on it then.
        if (!body.write(chunk)) await Promise.race([new Promise((resolve) => body.once('drain', resolve)), upload]);
        if (uploadError) throw uploadError;
      }
    } catch (e) {
      if (e === uploadError) throw e;
      failure = { code: 'UPLOAD_ABORTED', message: (e as Error).message };
    }
    body.end();
    await upload;
    if (uploadError) throw uploadError;
    return { sha256: hash.digest('hex'), sizeBytes, failure, uploaded: upload !== undefined };
  }

  private async has(key: string): Promise<boolean> {
    try {
      await this.client.statObject(this.bucket, key);
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  get(key: string, range?: BlobRange): ResultAsync<{ stream: Readable; sizeBytes: number }, BlobError> {
    if (!parseBlobKey(key)) return errAsync({ code: 'BLOB_NOT_FOUND', key });
    return ResultAsync.fromPromise(
      (async () => {
        const stat = await this.client.statObject(this.bucket, key);
        const stream = range
          ? await this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1)
          : await this.client.getObject(this.bucket, key);
        return { stream, sizeBytes: stat.size };
      })(),
      (e): BlobError => (isMissing(e) ? { code: 'BLOB_NOT_FOUND', key } : unavailable(e)),
    );
  }

  exists(key: string): ResultAsync<boolean, BlobError> {
    return parseBlobKey(key) ? ResultAsync.fromPromise(this.has(key), unavailable) : okAsync(false);
  }

  delete(key: string): ResultAsync<void, BlobError> {
    return parseBlobKey(key) ? ResultAsync.fromPromise(this.client.removeObject(this.bucket, key), unavailable) : okAsync(undefined);
  }

  async *list(tenant: string): AsyncIterable<{ key: string; modifiedAt: Date }> {
    for await (const item of this.client.listObjectsV2(this.bucket, `${tenant}/`, true)) {
      const entry = item as { name?: string; lastModified?: Date };
      if (entry.name && parseBlobKey(entry.name)) yield { key: entry.name, modifiedAt: entry.lastModified ?? new Date(0) };
    }
  }

  async sweepStaging(before: Date): Promise<number> {
    let removed = 0;
    for await (const item of this.client.listObjectsV2(this.bucket, '.staging/', true)) {
      const entry = item as { name?: string; lastModified?: Date };
      if (entry.name && entry.lastModified && entry.lastModified < before) {
        await this.client.removeObject(this.bucket, entry.name);
        removed += 1;
      }
    }
    return removed;
  }

  ping(): ResultAsync<void, BlobError> {
    return ResultAsync.fromPromise(
      this.client.bucketExists(this.bucket).then((exists) => {
        if (!exists) throw new Error(`bucket ${this.bucket} does not exist`);
      }),
      unavailable,
    );
  }
}
