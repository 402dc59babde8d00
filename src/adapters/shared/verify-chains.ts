import { verify } from 'node:crypto';
import { ok, type Result } from 'neverthrow';
import { checkpointText } from '../../application/notary.js';
import type { EventStore, RecordedEvent, StoreError } from '../../application/ports/event-store.js';
import type { NotaryLedger, SignedCheckpoint } from '../../application/ports/notary.js';
import type { ChainVerifier } from '../../application/ports/chain-verifier.js';
import { scanLog } from '../../application/read-log.js';
import { canonicalJson, chainHashOfCanonical, GENESIS_HASH, positionedTenantLink, TENANT_GENESIS, tenantLink } from './event-chain.js';

/** A stored event as text: data and meta exactly as on disk, and the tenant the store files it under. */
export type RawEvent = {
  position: string;
  id: string;
  stream: string;
  revision: number;
  tenant: string;
  type: string;
  dataJson: string;
  metaJson: string;
  prevHash: string;
  hash: string;
};

/** A store that can hand its rows over as stored text (SQLite), which spares parsing them. */
type RawScanning = { scanRaw(tenant?: string): Iterable<RawEvent> };
const canScanRaw = (store: unknown): store is RawScanning => typeof (store as RawScanning).scanRaw === 'function';

export type BrokenEvent = { position: string; stream: string; revision: number; id: string; type: string; reason: string };
export type CheckpointVerdict = { tenant: string; seq: number; position: string; at: string; verified: boolean; reason?: string };
export type VerifyReport = {
  eventsChecked: number;
  streams: number;
  tenants: number;
  broken: BrokenEvent | null;
  checkpoints: CheckpointVerdict[];
};

/** A checkpoint to hold the log to, with the public key that signed it (from an auditor's file, or the notary's own). */
export type TrustedCheckpoint = { readonly checkpoint: SignedCheckpoint; readonly publicKeyPem: string };

export type VerifyOptions = {
  readonly tenant?: string | undefined;
  readonly onProgress?: (checked: number) => void;
  /** The notary's record: each event's link is compared with the one it chained. */
  readonly notary?: NotaryLedger | undefined;
  readonly checkpoints?: readonly TrustedCheckpoint[];
};

const PROGRESS_EVERY = 5000;

export const checkpointSignatureHolds = ({ checkpoint, publicKeyPem }: TrustedCheckpoint): boolean => {
  try {
    return verify(null, Buffer.from(checkpointText(checkpoint)), publicKeyPem, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
};

/**
 * Recomputes, from the stored events in log order:
 * - every stream's hash chain (an event changed, one before it removed, or the order changed);
 * - that each event is filed under the tenant its stream and its hashed metadata name;
 * - every tenant's chain over its events in global order, compared link by link with the notary's
 *   record, and with signed checkpoints (a stream that vanished, a tail cut off, two events
 *   swapped, or a change hidden by recomputing the stream's hashes).
 * It names the first event that does not match. Memory holds one hash per stream and per tenant.
 */
export const verifyChains = async (events: EventStore, options: VerifyOptions = {}): Promise<Result<VerifyReport, StoreError>> => {
  const streams = new Map<string, { revision: number; hash: string }>();
  // Each tenant's chain, and the same chain with log positions (what checkpoints signed before ADR 53 name).
  const tenants = new Map<string, { seq: number; link: string; positioned: string; lastPosition: string }>();
  const wanted = new Map<string, TrustedCheckpoint[]>();
  const verdicts: CheckpointVerdict[] = [];
  for (const trusted of options.checkpoints ?? []) {
    const c = trusted.checkpoint;
    if (options.tenant !== undefined && c.tenant !== options.tenant) continue;
    if (!checkpointSignatureHolds(trusted)) {
      verdicts.push({ tenant: c.tenant, seq: c.seq, position: c.position, at: c.at, verified: false, reason: 'its signature does not hold for this public key' });
      continue;
    }
    wanted.set(c.tenant, [...(wanted.get(c.tenant) ?? []), trusted]);
  }
  let eventsChecked = 0;
  let broken: BrokenEvent | null = null;

  const visit = (event: RawEvent): boolean => {
    const problem = check(event, streams.get(event.stream));
    if (problem) {
      broken = problem;
      return false;
    }
    streams.set(event.stream, { revision: event.revision, hash: event.hash });
    const tenant = tenants.get(event.tenant) ?? { seq: 0, link: TENANT_GENESIS, positioned: TENANT_GENESIS, lastPosition: '0' };
    const seq = tenant.seq + 1;
    const link = tenantLink(tenant.link, event.tenant, event.stream, event.revision, event.hash);
    const positioned = positionedTenantLink(tenant.positioned, event.tenant, event.position, event.stream, event.revision, event.hash);
    const notarised = options.notary?.link(event.tenant, seq);
    if (notarised && notarised.link !== link) {
      broken = {
        ...where(event),
        reason:
          notarised.eventId === event.id
            ? `it is not the event the notary chained as ${event.tenant}'s event ${seq}: its content or place changed since`
            : `the notary chained another event (${notarised.eventId}, position ${notarised.position}) as ${event.tenant}'s event ${seq}: an event before it was removed, moved or inserted`,
      };
      return false;
    }
    for (const trusted of wanted.get(event.tenant) ?? []) {
      const head = trusted.checkpoint.head;
      if (trusted.checkpoint.seq === seq) verdicts.push(verdict(trusted.checkpoint, link === head || positioned === head, `the tenant's chain at event ${seq} is not the signed head`));
    }
    tenants.set(event.tenant, { seq, link, positioned, lastPosition: event.position });
    eventsChecked += 1;
    if (eventsChecked % PROGRESS_EVERY === 0) options.onProgress?.(eventsChecked);
    return true;
  };

  const report = (): VerifyReport => {
    if (!broken) {
      // What the notary or a checkpoint holds beyond the end of the log was cut off.
      for (const [tenant, trustedList] of wanted) {
        const reached = tenants.get(tenant)?.seq ?? 0;
        for (const t of trustedList) {
          if (t.checkpoint.seq > reached) verdicts.push(verdict(t.checkpoint, false, `the log holds ${reached} events of ${tenant} where the checkpoint signed ${t.checkpoint.seq}: events were removed`));
        }
      }
      for (const head of options.notary?.heads() ?? []) {
        if (options.tenant !== undefined && head.tenant !== options.tenant) continue;
        const reached = tenants.get(head.tenant)?.seq ?? 0;
        if (reached < head.seq) {
          const missing = options.notary!.link(head.tenant, reached + 1)!;
          broken = {
            position: missing.position,
            stream: missing.stream,
            revision: missing.revision,
            id: missing.eventId,
            type: 'unknown',
            reason: `the notary chained ${head.seq} events of ${head.tenant} but the log holds ${reached}: this event and those after it were removed`,
          };
          break;
        }
      }
    }
    const failed = verdicts.find((v) => !v.verified);
    if (!broken && failed) broken = { position: failed.position, stream: '', revision: -1, id: `checkpoint ${failed.tenant}#${failed.seq}`, type: 'checkpoint', reason: failed.reason ?? 'checkpoint not verified' };
    options.onProgress?.(eventsChecked);
    return { eventsChecked, streams: streams.size, tenants: tenants.size, broken, checkpoints: verdicts };
  };

  if (canScanRaw(events)) {
    for (const event of events.scanRaw(options.tenant)) if (!visit(event)) break;
    return ok(report());
  }
  // The stored form, not one that opened sealed fields: the hashes are over what is stored.
  const stored = (events as { raw?: EventStore }).raw ?? events;
  const scanned = await scanLog(stored, { tenant: options.tenant }, (event) => (visit(toRaw(event)) ? undefined : 'stop'));
  return scanned.map(report);
};

const verdict = (c: SignedCheckpoint, verified: boolean, reason: string): CheckpointVerdict => ({
  tenant: c.tenant,
  seq: c.seq,
  position: c.position,
  at: c.at,
  verified,
  ...(verified ? {} : { reason }),
});

const where = (event: RawEvent) => ({ position: event.position, stream: event.stream, revision: event.revision, id: event.id, type: event.type });

const toRaw = (e: RecordedEvent): RawEvent => ({
  position: String(e.position),
  id: e.id,
  stream: e.stream,
  revision: e.revision,
  tenant: e.meta.tenant,
  type: e.type,
  dataJson: canonicalJson(e.data),
  metaJson: canonicalJson(e.meta),
  prevHash: e.prevHash,
  hash: e.hash,
});

const check = (event: RawEvent, previous: { revision: number; hash: string } | undefined): BrokenEvent | null => {
  const at = where(event);
  // The tenant is in the stream name and in the hashed metadata: the store's own column must agree.
  if (!event.stream.startsWith(`${event.tenant}:`) || !event.metaJson.includes(`"tenant":${JSON.stringify(event.tenant)}`)) {
    return { ...at, reason: `it is filed under tenant ${event.tenant}, which its stream and metadata do not name` };
  }
  const expectedRevision = previous ? previous.revision + 1 : 0;
  if (event.revision !== expectedRevision) return { ...at, reason: `revision ${event.revision} follows ${expectedRevision - 1}: an event is missing or out of order` };
  const expectedPrev = previous?.hash ?? GENESIS_HASH;
  if (event.prevHash !== expectedPrev) return { ...at, reason: 'its previous-hash does not match the event before it' };
  const recomputed = chainHashOfCanonical(expectedPrev, event.stream, event.revision, event.id, event.type, event.dataJson, event.metaJson);
  if (recomputed !== event.hash) return { ...at, reason: 'its content does not match its hash: the stored event was changed' };
  return null;
};

/**
 * The application's `ChainVerifier`: a school's chains held to the notary's record and to the
 * latest checkpoint it signed, as `locker audit verify --tenant` does without `--checkpoint`.
 */
export const chainVerifier = (events: EventStore, notary: NotaryLedger, publicKeyPem: () => string): ChainVerifier => ({
  verify: async (tenant, onProgress) => {
    const last = notary.lastCheckpoint(tenant);
    const verified = await verifyChains(events, { tenant, notary, checkpoints: last ? [{ checkpoint: last, publicKeyPem: publicKeyPem() }] : [], onProgress });
    return verified.map((report) => ({
      eventsChecked: report.eventsChecked,
      broken: report.broken && { id: report.broken.id, stream: report.broken.stream, revision: report.broken.revision, type: report.broken.type, reason: report.broken.reason },
      checkpoints: report.checkpoints.map((c) => ({ seq: c.seq, at: c.at, verified: c.verified, reason: c.reason })),
    }));
  },
});
