import { err, errAsync, ok, okAsync, ResultAsync, type Result } from 'neverthrow';
import { documentDecider } from '../../domain/index.js';
import { fromResult, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handle } from '../handle-command.js';
import { schoolMoves } from '../school-moves.js';
import type { Page, PageRequest, QuarantinedView, RefusedUploadView, StoredVersion } from '../ports/read-models.js';
import type { ScanVerdict } from '../ports/virus-scanner.js';

/** Who records what a scan of stored bytes found. */
export const SCANNER_ACTOR = 'system:scanner';

/** Stored versions read per page by a rescan. */
const PAGE = 200;

export type ScanRun = { readonly scanned: number; readonly cleared: number; readonly quarantined: number; readonly failed: number };

const none: UseCaseError = { code: 'SCANNER_UNAVAILABLE', message: 'no virus scanner is configured (LOCKER_CLAMD_URL)' };

/**
 * Stored bytes looked at again: versions accepted while the scanner could not tell, and, when
 * signatures change, everything stored (`locker scan`). A version found infected is quarantined:
 * nobody downloads it, its depositor and the admins are told, its bytes stay for the admins.
 */
export const scans = (deps: Deps) => {
  /** One version's bytes, streamed through the scanner. */
  const verdictOf = (v: StoredVersion): ResultAsync<ScanVerdict, UseCaseError> => {
    const scanner = deps.scanner;
    if (!scanner) return errAsync(none);
    return deps.blobs.get(v.blobKey).andThen(({ stream }) => {
      const session = scanner.begin();
      const fed = (async () => {
        for await (const chunk of stream as AsyncIterable<Uint8Array>) await session.write(chunk);
      })();
      return ResultAsync.fromPromise(fed, (e): UseCaseError => {
        session.abort();
        return { code: 'BLOB_STORE_UNAVAILABLE', message: `reading ${v.blobKey}: ${(e as Error).message}` };
      }).andThen(() => session.finish());
    });
  };

  /** What the scan found, recorded on the document (a version cleared, or quarantined once). */
  const recorded = (v: StoredVersion, verdict: ScanVerdict) =>
    handle(deps, documentDecider, v.tenant, deps.streams.document(v.tenant, v.documentId), { type: 'RecordScan', actorId: SCANNER_ACTOR, at: deps.clock.now(), documentId: v.documentId, version: v.version, verdict }, { waitForReadModels: false }).map(
      (h) => h.events.map((e) => e.type),
    );

  /** Each version in turn; a scanner that fails stops the run (the next one goes on from there), a missing blob is counted. */
  const scanEach = async (versions: readonly StoredVersion[], run: { scanned: number; cleared: number; quarantined: number; failed: number }): Promise<Result<void, UseCaseError>> => {
    for (const v of versions) {
      const verdict = await verdictOf(v);
      if (verdict.isErr()) {
        if (verdict.error.code === 'SCANNER_UNAVAILABLE') return err(verdict.error);
        run.failed += 1;
        continue;
      }
      const done = await recorded(v, verdict.value);
      if (done.isErr()) return err(done.error);
      run.scanned += 1;
      if (done.value.includes('ContentCleared')) run.cleared += 1;
      if (done.value.includes('ContentQuarantined')) run.quarantined += 1;
    }
    return ok(undefined);
  };

  return {
    /** The periodic job: versions accepted unscanned, scanned now; still unscannable, they wait for the next run. */
    scanPending: (): ResultAsync<ScanRun, UseCaseError> => {
      if (!deps.scanner) return okAsync({ scanned: 0, cleared: 0, quarantined: 0, failed: 0 });
      const run = { scanned: 0, cleared: 0, quarantined: 0, failed: 0 };
      // A school being imported is left alone: its archive writes the documents' streams (ADR 54).
      return schoolMoves(deps)
        .importing()
        .andThen((importing) => new ResultAsync(scanEach(deps.readModels.pendingScans(PAGE).filter((v) => !importing.has(v.tenant)), run)))
        .map((): ScanRun => run)
        .andThen((r) => catchUp(deps.projector).map(() => r));
    },

    /** `locker scan`: every live version stored (of a tenant, since a date) scanned again with today's signatures. */
    rescan: (filter: { tenant?: string | undefined; since?: string | undefined }, onProgress: (run: ScanRun) => void = () => undefined): ResultAsync<ScanRun, UseCaseError> => {
      if (!deps.scanner) return errAsync(none);
      const run = { scanned: 0, cleared: 0, quarantined: 0, failed: 0 };
      const all = async (): Promise<Result<void, UseCaseError>> => {
        for (let after = 0; ; ) {
          const page = deps.readModels.storedVersions(filter, after, PAGE);
          const done = await scanEach(page, run);
          if (done.isErr()) return done;
          onProgress({ ...run });
          if (page.length < PAGE) return ok(undefined);
          after = page[page.length - 1]!.row;
        }
      };
      return new ResultAsync(all()).andThen(() => catchUp(deps.projector).map((): ScanRun => run));
    },

    /** What was found infected, for the admins: the bytes are kept for them to inspect. */
    quarantine: (actor: Actor, page: PageRequest): ResultAsync<Page<QuarantinedView>, UseCaseError> =>
      fromResult(withPermission(deps, actor, 'locker.admin')).map(() => deps.readModels.quarantine(actor.tenant, page)),

    /** Uploads refused as infected, newest first, for the admins (auditors read the same in the history). */
    refusedUploads: (actor: Actor, page: PageRequest): ResultAsync<Page<RefusedUploadView>, UseCaseError> =>
      fromResult(withPermission(deps, actor, 'locker.admin')).map(() => deps.readModels.refusedUploads(actor.tenant, page)),
  };
};
