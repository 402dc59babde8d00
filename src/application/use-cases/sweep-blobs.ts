import { ResultAsync } from 'neverthrow';
import type { Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { maxDocumentBytes } from '../access.js';
import { catchUp } from '../handle-command.js';

export type SweepReport = { examined: number; deleted: string[]; stagingRemoved: number };

/**
 * Blob first, event second means a crash in between leaves bytes no event points at; deleted
 * documents leave bytes too. Both are removed here, once old enough that no upload in flight can
 * still be about to refer to them, and only if no live document version uses them. The read
 * models are caught up first, so a document appended a moment ago protects its bytes.
 */
export const sweepBlobs = (deps: Deps) => (graceMs: number): ResultAsync<SweepReport, UseCaseError> =>
  catchUp(deps.projector).andThen(() =>
    ResultAsync.fromPromise(
      (async () => {
        const cutoff = Date.parse(deps.clock.now()) - graceMs;
        const report: SweepReport = { examined: 0, deleted: [], stagingRemoved: await deps.blobs.sweepStaging(new Date(cutoff)) };
        for (const tenant of deps.readModels.tenants()) {
          for await (const blob of deps.blobs.list(tenant)) {
            report.examined += 1;
            if (blob.modifiedAt.getTime() > cutoff || deps.readModels.blobInUse(blob.key)) continue;
            const deleted = await deps.blobs.delete(blob.key);
            if (deleted.isOk()) report.deleted.push(blob.key);
          }
        }
        return report;
      })(),
      (e): UseCaseError => ({ code: 'BLOB_STORE_UNAVAILABLE', message: e instanceof Error ? e.message : String(e) }),
    ),
  );

/** How uploads are bounded at the edge: the slowest one the limits let through still counts. */
export type UploadBounds = { readonly filesPerRequest: number; readonly minBytesPerSecond: number; readonly idleTimeoutMs: number };

/** Without a minimum rate nothing bounds an upload: the sweep then waits this long (a week). */
export const UNBOUNDED_UPLOAD_GRACE_MS = 7 * 24 * 3600_000;

/**
 * The sweep's grace: at least an hour, and at least the longest upload the limits allow, or it
 * would delete the staged parts of a slow but legitimate one (50 MiB at the minimum 1,024 B/s is
 * 14 hours; a request of several files, each as large, longer still). Asked at each sweep, as a
 * school's limit may have been raised since.
 */
export const sweepGraceMs = (deps: Deps, bounds: UploadBounds): number => {
  if (bounds.minBytesPerSecond <= 0) return UNBOUNDED_UPLOAD_GRACE_MS;
  const largest = Math.max(deps.defaultMaxDocumentBytes, ...deps.readModels.tenants().map((t) => maxDocumentBytes(deps, t)));
  const longest = (bounds.filesPerRequest * largest * 1000) / bounds.minBytesPerSecond + bounds.idleTimeoutMs;
  return Math.max(3600_000, Math.ceil(longest));
};
