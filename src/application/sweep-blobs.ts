import type { Deps } from './deps.js';

export type SweepReport = { examined: number; deleted: string[]; stagingRemoved: number };

/**
 * Blob first, event second means a crash in between leaves bytes no event points at; deleted
 * documents leave bytes too. Both are removed here, once old enough that no upload in flight can
 * still be about to refer to them, and only if no live document version uses them.
 */
export const sweepBlobs = (deps: Deps) => async (graceMs: number): Promise<SweepReport> => {
  await deps.projector.catchUp();
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
};
