import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { s3Client } from './s3-client.js';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { BlobError, BlobRange, BlobStore, StagedBlob } from '../../application/ports/blob-store.js';
import { blobKey, parseBlobKey } from './blob-keys.js';

export type S3Options = {
  readonly endpoint: string;
  /** Unset: the client asks the bucket's location (AWS buckets live in many regions, MinIO in one). */
  readonly region?: string | undefined;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** Every S3 call is bounded: a silent endpoint gives 503, never a hung request. */
  readonly timeoutMs?: number | undefined;
  /** Uploads are bounded per part instead: by default the call timeout, and at least a minute. */
  readonly partTimeoutMs?: number | undefined;
};

class Timeout extends Error {}

/**
 * Parts of 8 MiB: memory per upload stays at a few parts, whatever the file size. The client's
 * chunker gathers one part, concatenates it, queues it, while another is sent: 34 MiB alive at
 * most for a 192 MiB upload (the contract test).
 */
const PART_SIZE = 8 * 1024 * 1024;

const unavailable = (e: unknown): BlobError => ({ code: 'BLOB_STORE_UNAVAILABLE', message: (e as Error).message ?? String(e) });
const codeOf = (e: unknown) => (e as { code?: string }).code ?? '';
const isMissing = (e: unknown) => ['NotFound', 'NoSuchKey', 'NoSuchObject'].includes(codeOf(e));
/** Another node created the bucket a moment before: that is the outcome wanted. */
const isBucketThere = (e: unknown) => ['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(codeOf(e));

/**
 * Blobs in MinIO or any S3. Bytes are streamed to a staging object (`.staging/<tenant>/<uuid>`)
 * while hashed and counted; a commit copies them server-side to `<tenant>/<sha256>` unless those
 * bytes are already there, then removes the staging object.
 */
export class MinioBlobStore implements BlobStore {
  private readonly client: Client;
  private readonly bucket: string;
  private readonly timeoutMs: number;
  private readonly partTimeoutMs: number;

  constructor(private readonly options: S3Options) {
    this.client = s3Client(options, { partSize: PART_SIZE });
    this.bucket = options.bucket;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.partTimeoutMs = options.partTimeoutMs ?? Math.max(this.timeoutMs, 60_000);
  }

  /**
   * The minio client has no request timeout: each call races our own timer. A part of an upload
   * (8 MiB) gets at least a minute: a slow link to S3 is not a dead one.
   */
  private bounded<T>(work: Promise<T>, ms = this.timeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`S3 did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** An S3 listing, one bounded page at a time. */
  private async *listed<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
    const it = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await this.bounded(it.next());
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // Not awaited: a listing stuck on a silent server would never finish closing.
      void Promise.resolve(it.return?.()).catch(() => undefined);
    }
  }

  /** Creates the bucket when missing; called once at start, so a wrong endpoint stops the process early. */
  ensureBucket(): ResultAsync<void, BlobError> {
    return ResultAsync.fromPromise(
      this.bounded(
        (async () => {
          if (await this.client.bucketExists(this.bucket)) return;
          try {
            await this.client.makeBucket(this.bucket, this.options.region ?? '');
          } catch (e) {
            // Two nodes starting together both see no bucket; the one that loses the race carries on.
            if (!isBucketThere(e)) throw e;
          }
        })(),
      ),
      unavailable,
    );
  }

  stage(tenant: string, content: AsyncIterable<Uint8Array>, maxBytes: number): ResultAsync<StagedBlob, BlobError> {
    const staging = `.staging/${tenant}/${randomUUID()}`;
    return ResultAsync.fromPromise(this.receive(staging, content, maxBytes), unavailable)
      .andThen((received) =>
        received.failure
          ? // The cleanup is best effort: its own failure must not hide why the upload was refused
            // (a 413 stays a 413); the sweep removes what is left.
            ResultAsync.fromSafePromise(received.uploaded ? this.bounded(this.client.removeObject(this.bucket, staging)).catch(() => undefined) : Promise.resolve()).andThen(() =>
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
                  if (await this.has(key)) await this.touch(key);
                  else await this.bounded(this.client.putObject(this.bucket, key, Buffer.alloc(0), 0));
                  return;
                }
                if (await this.has(key)) {
                  await this.touch(key);
                } else {
                  try {
                    await this.bounded(this.client.copyObject(this.bucket, key, `/${this.bucket}/${staging}`));
                  } catch (e) {
                    // Another upload of the same bytes may have won the race to this address.
                    if (!(await this.has(key))) throw e;
                  }
                }
                await this.bounded(this.client.removeObject(this.bucket, staging));
              })(),
              unavailable,
            ),
          discard: () => (uploaded ? this.bounded(this.client.removeObject(this.bucket, staging)).catch(() => undefined) : Promise.resolve()),
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
        // A server that stops reading altogether is given the call timeout, per chunk.
        if (!body.write(chunk)) await this.bounded(Promise.race([new Promise((resolve) => body.once('drain', resolve)), upload]), this.partTimeoutMs);
        if (uploadError) throw uploadError;
      }
    } catch (e) {
      if (e === uploadError || e instanceof Timeout) {
        await this.abandon(staging);
        throw e;
      }
      failure = { code: 'UPLOAD_ABORTED', message: (e as Error).message };
    }
    body.end();
    try {
      await this.bounded(upload ?? Promise.resolve(), this.partTimeoutMs);
    } catch (e) {
      await this.abandon(staging);
      throw e;
    }
    if (uploadError) {
      await this.abandon(staging);
      throw uploadError;
    }
    return { sha256: hash.digest('hex'), sizeBytes, failure, uploaded: upload !== undefined };
  }

  /**
   * Bytes already at their address get a fresh modification time when a new document points at
   * them: a sweep between this commit and the event must see them as new, not as old orphans.
   * Copying an object onto itself needs its metadata replaced; the bytes stay where they are.
   */
  private async touch(key: string): Promise<void> {
    const source = new CopySourceOptions({ Bucket: this.bucket, Object: key });
    const target = new CopyDestinationOptions({ Bucket: this.bucket, Object: key, MetadataDirective: 'REPLACE', UserMetadata: { touched: new Date().toISOString() } });
    try {
      await this.bounded(this.client.copyObject(source, target));
    } catch (e) {
      // Two commits of the same bytes at once touch the same object (s3rver even answers 500 to
      // one of them): either touch makes it new, so the bytes being there is what matters.
      if (!(await this.has(key))) throw e;
    }
  }

  /** A failed upload's parts would stay on the server, billed and invisible: they are aborted here. */
  private async abandon(staging: string): Promise<void> {
    await this.bounded(this.client.removeIncompleteUpload(this.bucket, staging)).catch(() => undefined);
  }

  private async has(key: string): Promise<boolean> {
    try {
      await this.bounded(this.client.statObject(this.bucket, key));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  get(key: string, range?: BlobRange): ResultAsync<{ stream: Readable; sizeBytes: number }, BlobError> {
    if (!parseBlobKey(key)) return errAsync({ code: 'BLOB_NOT_FOUND', key });
    return ResultAsync.fromPromise(
      this.bounded(
        (async () => {
          const stat = await this.client.statObject(this.bucket, key);
          const stream = range
            ? await this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1)
            : await this.client.getObject(this.bucket, key);
          return { stream, sizeBytes: stat.size };
        })(),
      ),
      (e) => e,
    ).orElse((e) =>
      // A HEAD on a missing bucket reads like a missing key: the store is broken, not the document.
      isMissing(e)
        ? ResultAsync.fromPromise(this.bounded(this.client.bucketExists(this.bucket)), unavailable).andThen((bucket) =>
            errAsync<never, BlobError>(bucket ? { code: 'BLOB_NOT_FOUND', key } : { code: 'BLOB_STORE_UNAVAILABLE', message: `bucket ${this.bucket} does not exist` }),
          )
        : errAsync(unavailable(e)),
    );
  }

  exists(key: string): ResultAsync<boolean, BlobError> {
    return parseBlobKey(key) ? ResultAsync.fromPromise(this.has(key), unavailable) : okAsync(false);
  }

  delete(key: string): ResultAsync<void, BlobError> {
    return parseBlobKey(key) ? ResultAsync.fromPromise(this.bounded(this.client.removeObject(this.bucket, key)), unavailable) : okAsync(undefined);
  }

  async *list(tenant: string): AsyncIterable<{ key: string; modifiedAt: Date }> {
    for await (const item of this.listed(this.client.listObjectsV2(this.bucket, `${tenant}/`, true))) {
      const entry = item as { name?: string; lastModified?: Date };
      if (entry.name && parseBlobKey(entry.name)) yield { key: entry.name, modifiedAt: entry.lastModified ?? new Date(0) };
    }
  }

  /** Staging objects, and multipart uploads a crash left incomplete (the client never aborts them), older than `before`. */
  async sweepStaging(before: Date): Promise<number> {
    let removed = 0;
    for await (const item of this.listed(this.client.listObjectsV2(this.bucket, '.staging/', true))) {
      const entry = item as { name?: string; lastModified?: Date };
      if (entry.name && entry.lastModified && entry.lastModified < before) {
        await this.bounded(this.client.removeObject(this.bucket, entry.name));
        removed += 1;
      }
    }
    for await (const upload of this.listed(this.client.listIncompleteUploads(this.bucket, '.staging/', true))) {
      const entry = upload as { key?: string; initiated?: Date };
      if (entry.key && entry.initiated && entry.initiated < before) {
        await this.bounded(this.client.removeIncompleteUpload(this.bucket, entry.key));
        removed += 1;
      }
    }
    return removed;
  }

  ping(): ResultAsync<void, BlobError> {
    return ResultAsync.fromPromise(
      this.bounded(this.client.bucketExists(this.bucket)).then((exists) => {
        if (!exists) throw new Error(`bucket ${this.bucket} does not exist`);
      }),
      unavailable,
    );
  }
}
