import type { Page, PageRequest } from './page.js';

export type CollectionSummary = {
  readonly id: string;
  readonly year: string;
  readonly requesterId: string;
  readonly title: string;
  readonly instructions: string | null;
  readonly categoryId: string;
  readonly dueAt: string;
  readonly status: 'draft' | 'open' | 'closed';
  readonly createdAt: string;
};

export type CollectionView = CollectionSummary & {
  /** Per person asked: submitted on time, late, or missing, with what they submitted and how often they were reminded. */
  readonly people: { userId: string; displayName: string | null; status: 'submitted' | 'late' | 'missing'; submittedAt: string | null; documentIds: string[]; reminders: number }[];
};

/** Collection requests and who submitted what. */
export interface CollectionQueries {
  collection(tenant: string, collectionId: string): CollectionView | undefined;
  collections(tenant: string, userId: string, role: 'requester' | 'asked', page: PageRequest): Page<CollectionSummary>;
  collectionSubmitters(tenant: string, collectionId: string): Set<string>;
}
