import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { scanDecider, type UploadPath } from '../domain/index.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { handle } from './handle-command.js';
import type { StagedBlob } from './ports/blob-store.js';
import type { ScanVerdict } from './ports/virus-scanner.js';

/** Bytes staged; `scanPending` when they were kept although no scanner could tell (scans not required). */
export type ScannedBlob = StagedBlob & { readonly scanPending?: true };

/** What an event records of a file staged and scanned: where its bytes are, and whether a scan is still owed. */
export const storedFile = (file: { readonly fileName: string; readonly mediaType: string }, blob: ScannedBlob) => ({
  blobKey: blob.key,
  sha256: blob.sha256,
  sizeBytes: blob.sizeBytes,
  fileName: file.fileName,
  mediaType: file.mediaType,
  ...(blob.scanPending ? { scan: 'pending' as const } : {}),
});

/**
 * Stages a file's bytes, scanned as they go to the blob store (read once: memory stays flat
 * whatever the size). With no scanner configured, staging alone. An infected file is discarded,
 * recorded for auditors and the school's admins (who are told), and refused: `INFECTED`, naming
 * what it holds. A scanner that cannot tell (down, silent past its timeout, the file longer than
 * it takes) refuses it too, `SCANNER_UNAVAILABLE`: never read as clean, nothing kept; unless scans
 * are not required, when the file is kept marked `scanPending`, held from readers until a later
 * scan (`scans.ts`) clears it.
 */
export const stageScanned = (
  deps: Pick<Deps, 'blobs' | 'scanner' | 'scanRequired' | 'events' | 'ids' | 'projector' | 'streams' | 'clock'>,
  actor: Actor,
  file: { readonly content: AsyncIterable<Uint8Array>; readonly fileName: string },
  maxBytes: number,
  via: UploadPath,
): ResultAsync<ScannedBlob, UseCaseError> => {
  const scanner = deps.scanner;
  if (!scanner) return deps.blobs.stage(actor.tenant, file.content, maxBytes);
  const session = scanner.begin();
  // Each chunk goes to the scanner as it goes to the store; the scanner's backpressure is the upload's.
  const scanned = (async function* () {
    for await (const chunk of file.content) {
      await session.write(chunk);
      yield chunk;
    }
  })();
  // Nothing of it is kept, whatever the discard meets (the sweep removes staging left by a crash).
  const discarded = (staged: StagedBlob) => ResultAsync.fromSafePromise<void, UseCaseError>(staged.discard().catch(() => undefined));
  return deps.blobs
    .stage(actor.tenant, scanned, maxBytes)
    .orElse((e) => {
      session.abort();
      return errAsync<StagedBlob, UseCaseError>(e);
    })
    .andThen((staged) =>
      session
        .finish()
        // No verdict: refused where scans are required, else kept and held until a later scan.
        .map((verdict): ScanVerdict | undefined => verdict)
        .orElse((e) => (deps.scanRequired ? discarded(staged).andThen(() => errAsync<never, UseCaseError>(e)) : okAsync(undefined)))
        .andThen((verdict): ResultAsync<ScannedBlob, UseCaseError> => {
          if (verdict === undefined) return okAsync(Object.assign(staged, { scanPending: true as const }));
          if (!verdict.infected) return okAsync(staged);
          const refused: UseCaseError = { code: 'INFECTED', fileName: file.fileName, signature: verdict.signature };
          const command = { type: 'RecordInfectedUpload' as const, actorId: actor.userId, at: deps.clock.now(), uploadId: deps.ids.newId(), fileName: file.fileName, signature: verdict.signature, via };
          return discarded(staged)
            .andThen(() => handle(deps, scanDecider, actor.tenant, deps.streams.scans(actor.tenant), command))
            .andThen(() => errAsync<ScannedBlob, UseCaseError>(refused));
        }),
    );
};

