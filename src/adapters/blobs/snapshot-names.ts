import type { SnapshotInfo } from '../../application/ports/snapshot-store.js';

/**
 * A snapshot's name says all that is known of it, so a listing is enough to choose one:
 * `<checkpoint, 40 digits>-<taken at, ms since 1970>-<size>-<sha256>.sqlite`. Names sort by checkpoint.
 */
export const snapshotName = (s: SnapshotInfo): string => `${s.checkpoint.toString().padStart(40, '0')}-${Date.parse(s.takenAt)}-${s.sizeBytes}-${s.sha256}.sqlite`;

const NAME = /^(\d{40})-(\d{1,15})-(\d{1,15})-([0-9a-f]{64})\.sqlite$/;

export const parseSnapshotName = (name: string): SnapshotInfo | undefined => {
  const m = NAME.exec(name);
  return m ? { checkpoint: BigInt(m[1]!), takenAt: new Date(Number(m[2])).toISOString(), sizeBytes: Number(m[3]), sha256: m[4]! } : undefined;
};
