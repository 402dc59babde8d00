import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { s3Client } from './s3-client.js';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { SnapshotInfo, SnapshotStore } from '../../application/ports/snapshot-store.js';
import { parseSnapshotName, snapshotName } from './snapshot-names.js';
import type { BlobError, BlobRange, BlobStore, SetAside, StagedBlob } from '../../application/ports/blob-store.js';
import { blobKey, parseBlobKey } from '../shared/blob-keys.js';

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
/** Marks an S3 failure met while reading the source, to tell it from the source's own. */
class StoreFailed {
  constructor(readonly cause: unknown) {}
}

/**
 * Parts of 8 MiB: memory per upload stays at a few parts (the one being sent, the one being
 * gathered), whatever the file size (ADR 35; figures in docs/performance.md).
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
/** Where a sweep sets a blob aside before it decides: beside staging, outside every tenant's listing. */
const ASIDE = '.aside/';

export class MinioBlobStore implements BlobStore {
  private readonly client: Client;
  private readonly bucket: string;
  private readonly timeoutMs: number;
  private readonly partTimeoutMs: number;

  constructor(private readonly options: S3Options) {
    // A socket idle for longer than the longest bound of a call is one nobody waits for any more.
    this.client = s3Client(options, { partSize: PART_SIZE, idleTimeoutMs: Math.max(options.timeoutMs ?? 5000, options.partTimeoutMs ?? Math.max(options.timeoutMs ?? 5000, 60_000)) });
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
      // A refused upload has already aborted what it sent: nothing is left to remove.
      .andThen((received) => (received.failure ? errAsync(received.failure) : okAsync(received)))
      .map(({ sha256, sizeBytes, uploaded }): StagedBlob => {
        const key = blobKey(tenant, sha256);
        /** The bytes were already at their address: the staged copy is kept until `settle`. */
        let kept = false;
        const copyIn = async () => {
          try {
            await this.bounded(this.client.copyObject(this.bucket, key, `/${this.bucket}/${staging}`));
          } catch (e) {
            // Another upload of the same bytes may have won the race to this address.
            if (!(await this.has(key))) throw e;
          }
        };
        return {
          key,
          sha256,
          sizeBytes,
          commit: () =>
            ResultAsync.fromPromise(
              (async () => {
                if (!uploaded) {
                  if (await this.has(key)) {
                    await this.touch(key);
                    kept = true;
                  } else await this.bounded(this.client.putObject(this.bucket, key, Buffer.alloc(0), 0));
                  return;
                }
                if (await this.has(key)) {
                  await this.touch(key);
                  kept = true;
                  return;
                }
                await copyIn();
                await this.bounded(this.client.removeObject(this.bucket, staging));
              })(),
              unavailable,
            ),
          settle: async () => {
            if (!kept) return;
            // Set aside by a sweep since the touch: the kept copy goes back to the address.
            if (!(await this.has(key))) {
              if (uploaded) await copyIn();
              else await this.bounded(this.client.putObject(this.bucket, key, Buffer.alloc(0), 0));
            }
            kept = false;
            if (uploaded) await this.bounded(this.client.removeObject(this.bucket, staging)).catch(() => undefined);
          },
          discard: () => (uploaded ? this.bounded(this.client.removeObject(this.bucket, staging)).catch(() => undefined) : Promise.resolve()),
        };
      });
  }

  /**
   * Our own multipart upload rather than the client's `putObject` on a stream, which lists the
   * bucket's incomplete uploads first (to resume one), sends even 10 KB as a multipart upload of
   * four requests, and does not forward a failure of the stream it pipes (ADR 35). Here a file
   * smaller than a part is one PUT; a larger one gathers a part while the previous one is sent,
   * and waits for it before sending the next. A refused or broken upload aborts its multipart
   * upload, so no staging object exists to remove.
   */
  private async receive(staging: string, content: AsyncIterable<Uint8Array>, maxBytes: number) {
    const hash = createHash('sha256');
    let sizeBytes = 0;
    let failure: BlobError | undefined;
    let gathered: Uint8Array[] = [];
    let gatheredBytes = 0;
    // Each part's MD5 is taken as its chunks arrive, while the previous part is still being sent.
    let partMd5 = createHash('md5');
    let uploadId: string | undefined;
    let partsSent = 0;
    // In part order: one part is in flight at a time.
    const etags: { part: number; etag: string }[] = [];
    let inFlight: Promise<void> | undefined;
    let partError: unknown;
    const sendGathered = async () => {
      await inFlight;
      if (partError) throw partError;
      const body = Buffer.concat(gathered, gatheredBytes);
      const md5 = partMd5.digest('base64');
      gathered = [];
      gatheredBytes = 0;
      partMd5 = createHash('md5');
      uploadId ??= await this.bounded(this.client.initiateNewMultipartUpload(this.bucket, staging, {}));
      const part = ++partsSent;
      const headers = { 'Content-Length': body.length, 'Content-MD5': md5 };
      inFlight = this.bounded(this.client.uploadPart({ bucketName: this.bucket, objectName: staging, uploadID: uploadId, partNumber: part, headers }, body), this.partTimeoutMs).then(
        ({ etag }) => void etags.push({ part, etag }),
        // Kept, not thrown: nobody awaits this part until the next one is ready.
        (e: unknown) => void (partError = e),
      );
    };
    try {
      try {
        for await (const chunk of content) {
          sizeBytes += chunk.byteLength;
          if (sizeBytes > maxBytes) {
            failure = { code: 'BLOB_TOO_LARGE', maxBytes };
            break;
          }
          hash.update(chunk);
          gathered.push(chunk);
          partMd5.update(chunk);
          gatheredBytes += chunk.byteLength;
          if (gatheredBytes >= PART_SIZE) await sendGathered().catch((e: unknown) => Promise.reject(new StoreFailed(e)));
        }
      } catch (e) {
        // The store failing is the store's error (503); the source failing is the client's.
        if (e instanceof StoreFailed) throw e.cause;
        failure = { code: 'UPLOAD_ABORTED', message: (e as Error).message };
      }
      if (failure) {
        await this.abandon(staging, uploadId, inFlight);
        return { sha256: '', sizeBytes, failure, uploaded: false };
      }
      if (uploadId === undefined) {
        // Smaller than a part: one PUT. Empty: nothing is sent; its empty object is written at commit.
        if (sizeBytes > 0) await this.bounded(this.client.putObject(this.bucket, staging, Buffer.concat(gathered, gatheredBytes), gatheredBytes), this.partTimeoutMs);
      } else {
        if (gatheredBytes > 0) await sendGathered();
        await inFlight;
        if (partError) throw partError;
        await this.bounded(this.client.completeMultipartUpload(this.bucket, staging, uploadId, etags), this.partTimeoutMs);
      }
    } catch (e) {
      await this.abandon(staging, uploadId, inFlight);
      throw e;
    }
    return { sha256: hash.digest('hex'), sizeBytes, failure, uploaded: sizeBytes > 0 };
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

  /**
   * A failed upload's parts would stay on the server, billed and invisible: they are aborted here,
   * once the part in flight has settled (S3 may keep a part that lands after the abort). Best
   * effort: the sweep aborts what is left.
   */
  private async abandon(staging: string, uploadId: string | undefined, inFlight: Promise<void> | undefined): Promise<void> {
    if (uploadId === undefined) return;
    await inFlight;
    // S3 says a part still being received may land after the abort: the parts are listed again
    // and the upload aborted again while any are there (a few times; the sweep takes what is left).
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.bounded(this.client.abortMultipartUpload(this.bucket, staging, uploadId)).catch(() => undefined);
      // minio 8 marks listParts protected; it is S3's ListParts all the same.
      const listParts = (this.client as unknown as { listParts: (b: string, o: string, u: string) => Promise<unknown[]> }).listParts.bind(this.client);
      const left = await this.bounded(listParts(this.bucket, staging, uploadId)).then(
        (parts) => parts.length,
        () => 0,
      );
      if (left === 0) return;
    }
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

  /**
   * The deployment's read-model snapshots, in this bucket under `.snapshots/` (no tenant starts
   * with a dot: no school's listing or sweep sees them). Each is streamed to staging as an upload
   * is, hashed on the way, then copied to its name, which says its checkpoint and hash.
   */
  snapshots(): SnapshotStore {
    const PREFIX = '.snapshots/read-models/';
    return {
      put: (snapshot, content) =>
        ResultAsync.fromPromise(
          (async (): Promise<SnapshotInfo> => {
            const staging = `.staging/.snapshots/${randomUUID()}`;
            const received = await this.receive(staging, content, Number.MAX_SAFE_INTEGER);
            if (received.failure) throw new Error(received.failure.code === 'UPLOAD_ABORTED' ? received.failure.message : received.failure.code);
            const info = { ...snapshot, sha256: received.sha256 };
            try {
              await this.bounded(this.client.copyObject(this.bucket, PREFIX + snapshotName(info), `/${this.bucket}/${staging}`), this.partTimeoutMs);
            } finally {
              await this.bounded(this.client.removeObject(this.bucket, staging)).catch(() => undefined);
            }
            return info;
          })(),
          unavailable,
        ),
      list: () =>
        ResultAsync.fromPromise(
          (async () => {
            const found: SnapshotInfo[] = [];
            try {
              for await (const item of this.listed(this.client.listObjectsV2(this.bucket, PREFIX, true))) {
                const parsed = parseSnapshotName(((item as { name?: string }).name ?? '').slice(PREFIX.length));
                if (parsed) found.push(parsed);
              }
            } catch (e) {
              // The first node of a deployment starts before the bucket is made: nothing to start from.
              if (codeOf(e) !== 'NoSuchBucket') throw e;
            }
            return found.sort((a, b) => (a.checkpoint < b.checkpoint ? -1 : a.checkpoint > b.checkpoint ? 1 : 0));
          })(),
          unavailable,
        ),
      get: (snapshot) =>
        ResultAsync.fromPromise(this.bounded(this.client.getObject(this.bucket, PREFIX + snapshotName(snapshot))), (e): BlobError =>
          isMissing(e) ? { code: 'BLOB_NOT_FOUND', key: PREFIX + snapshotName(snapshot) } : unavailable(e),
        ).map((stream) => stream as AsyncIterable<Uint8Array>),
      delete: (snapshot) => ResultAsync.fromPromise(this.bounded(this.client.removeObject(this.bucket, PREFIX + snapshotName(snapshot))), unavailable),
    };
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

  setAside(key: string, notAfter: Date): ResultAsync<SetAside, BlobError> {
    if (!parseBlobKey(key)) return okAsync('gone');
    return ResultAsync.fromPromise(
      (async (): Promise<SetAside> => {
        let modified: Date;
        try {
          modified = (await this.bounded(this.client.statObject(this.bucket, key))).lastModified;
        } catch (e) {
          if (isMissing(e)) return 'gone';
          throw e;
        }
        if (modified > notAfter) return 'young';
        await this.bounded(this.client.copyObject(this.bucket, `${ASIDE}${key}`, `/${this.bucket}/${key}`));
        await this.bounded(this.client.removeObject(this.bucket, key));
        return 'set-aside';
      })(),
      unavailable,
    );
  }

  putBack(key: string): ResultAsync<void, BlobError> {
    return ResultAsync.fromPromise(
      (async () => {
        // A commit may have put its own copy of the same bytes there meanwhile.
        if (!(await this.has(key))) await this.bounded(this.client.copyObject(this.bucket, key, `/${this.bucket}/${ASIDE}${key}`));
        await this.bounded(this.client.removeObject(this.bucket, `${ASIDE}${key}`));
      })(),
      unavailable,
    );
  }

  dropSetAside(key: string): ResultAsync<void, BlobError> {
    return ResultAsync.fromPromise(this.bounded(this.client.removeObject(this.bucket, `${ASIDE}${key}`)), unavailable);
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
      const entry = upload as { key?: string; uploadId?: string; initiated?: Date };
      if (entry.key && entry.uploadId && entry.initiated && entry.initiated < before) {
        // By its id: `removeIncompleteUpload` would list the bucket's uploads again to find it.
        await this.bounded(this.client.abortMultipartUpload(this.bucket, entry.key, entry.uploadId));
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
