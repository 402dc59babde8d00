import { okAsync, ResultAsync } from 'neverthrow';
import type { Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import type { RecordedEvent } from './ports/event-store.js';
import type { SignedCheckpoint } from './ports/notary.js';
import { scanLog } from './read-log.js';

const BATCH = 2000;

export type NotaryRun = { readonly linked: number; readonly signed: SignedCheckpoint[] };

/** The text a checkpoint's signature covers: fixed fields, in order, nothing left to interpretation. */
export const checkpointText = (c: { tenant: string; seq: number; position: string; head: string; at: string }): string =>
  `digital-locker-checkpoint:v1\n${c.tenant}\n${c.seq}\n${c.position}\n${c.head}\n${c.at}`;

/**
 * The notary, run after appends (every minute in the server): it extends every tenant's chain
 * with the events appended since its last run, in the log's global order, then signs the head of
 * each chain that moved since its last checkpoint. It reads the log like a projection does, so it
 * adds nothing to the write path and works the same on every event store.
 */
export const notarize = (deps: Deps) => (): ResultAsync<NotaryRun, UseCaseError> => {
  let linked = 0;
  let batch: RecordedEvent[] = [];
  const flush = () => {
    deps.notary.extend(batch);
    linked += batch.length;
    batch = [];
  };
  return scanLog(deps.events, { after: deps.notary.position() }, (event) => {
    batch.push(event);
    if (batch.length === BATCH) flush();
  }).andThen(() => {
    flush();
    const at = deps.clock.now();
    const signed: SignedCheckpoint[] = [];
    for (const head of deps.notary.heads()) {
      const last = deps.notary.lastCheckpoint(head.tenant);
      if (last && last.seq === head.seq) continue;
      const fields = { tenant: head.tenant, seq: head.seq, position: head.position, head: head.link, at };
      const checkpoint: SignedCheckpoint = { ...fields, keyId: deps.signer.keyId, signature: deps.signer.sign(checkpointText(fields)) };
      deps.notary.saveCheckpoint(checkpoint);
      signed.push(checkpoint);
    }
    return okAsync({ linked, signed });
  });
};
