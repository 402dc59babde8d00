import type { Page, PageRequest } from './page.js';

/** Someone erased: when, by whom (`system:erasure` after they left), why. */
export type ErasureView = { userId: string; at: string; actorId: string; reason: string };

/** Who was erased, and who left the directory long enough ago to be. */
export interface ErasureQueries {
  erasures(tenant: string, page: PageRequest): Page<ErasureView>;
  erasure(tenant: string, userId: string): ErasureView | undefined;
  /** People gone from the directory for longer than their tenant's delay, not yet erased. */
  departedLongAgo(now: string): { tenant: string; userId: string }[];
}
