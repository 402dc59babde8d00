import { ResultAsync } from 'neverthrow';
import type { Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
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
