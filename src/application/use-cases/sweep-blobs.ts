import { ResultAsync } from 'neverthrow';
import type { Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { maxDocumentBytes } from '../access.js';
import { catchUp } from '../handle-command.js';
import { takeLease } from '../lease.js';
import { schoolMoves } from '../school-moves.js';

export type SweepReport = {
  examined: number;
  deleted: string[];
  stagingRemoved: number;
  /** Schools another node was sweeping (it holds their lease): left to it this time. */
  leftToAnotherNode: string[];
};

/**
 * Blob first, event second means a crash in between leaves bytes no event points at; deleted
 * documents leave bytes too. Both are removed here, once old enough that no upload in flight can
 * still be about to refer to them, and only if no live document version uses them.
 *
 * Several nodes share the blob store, and a node's read models may not hold another's latest
 * event: each tenant is swept by one node at a time (a lease), and a blob goes in two phases
 * (issue 31). First it is set aside, unless modified since the listing (a commit touched it: in
 * use again); then the log is read to its end, and a blob an event now refers to is put back, the
 * others dropped. A commit that touched the blob before it was set aside finds it gone when it
 * settles, after its event, and puts its own copy back.
 */
export const sweepBlobs = (deps: Deps) => (graceMs: number, holder = 'cli'): ResultAsync<SweepReport, UseCaseError> =>
  catchUp(deps.projector).andThen(() => schoolMoves(deps).importing()).andThen((importing) =>
    ResultAsync.fromPromise(
      (async () => {
        const cutoff = new Date(Date.parse(deps.clock.now()) - graceMs);
        const report: SweepReport = { examined: 0, deleted: [], stagingRemoved: await deps.blobs.sweepStaging(cutoff), leftToAnotherNode: [] };
        // A school being imported is left alone: its archive writes the lease stream (ADR 54).
        for (const tenant of deps.readModels.tenants().filter((t) => !importing.has(t))) {
          const mine = await takeLease(deps, tenant, deps.streams.sweepLease(tenant), holder, SWEEP_LEASE_MS, 'system:sweep');
          if (mine.isErr()) throw new Error(mine.error.code);
          if (!mine.value) {
            report.leftToAnotherNode.push(tenant);
            continue;
          }
          const aside: string[] = [];
          for await (const blob of deps.blobs.list(tenant)) {
            report.examined += 1;
            if (blob.modifiedAt > cutoff || deps.readModels.blobInUse(blob.key, deps.clock.now())) continue;
            const set = await deps.blobs.setAside(blob.key, cutoff);
            if (set.isErr()) throw new Error(set.error.code);
            if (set.value === 'set-aside') aside.push(blob.key);
          }
          if (aside.length === 0) continue;
          // The log to its end, as the store has it now: any event appended before the blobs were
          // set aside is in the read models after this.
          const caught = await catchUp(deps.projector);
          if (caught.isErr()) throw new Error(caught.error.code);
          for (const key of aside) {
            const done = deps.readModels.blobInUse(key, deps.clock.now()) ? await deps.blobs.putBack(key) : await deps.blobs.dropSetAside(key).map(() => void report.deleted.push(key));
            if (done.isErr()) throw new Error(done.error.code);
          }
        }
        return report;
      })(),
      (e): UseCaseError => ({ code: 'BLOB_STORE_UNAVAILABLE', message: e instanceof Error ? e.message : String(e) }),
    ),
  )
    // The leases it took are events too: this node's read models hold them when it answers.
    .andThen((report) => catchUp(deps.projector).map(() => report));

/** A sweep of one tenant is one node's for this long. */
const SWEEP_LEASE_MS = 10 * 60_000;

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
