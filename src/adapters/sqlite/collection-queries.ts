import type Database from 'better-sqlite3';
import type { CollectionSummary, CollectionView, Page, PageRequest } from '../../application/ports/read-models.js';
import { submissionStatus } from '../../domain/index.js';
import { before, pageOf } from './pages.js';

type Row = { id: string; year: string; requester_id: string; title: string; instructions: string | null; category_id: string; due_at: string; status: CollectionView['status']; created_at: string };

/** Collection requests, each person's submissions (their deposits linked to the request) and reminders. */
export const collectionQueries = (db: Database.Database) => {
  const sql = {
    one: db.prepare<[string, string], Row>('SELECT * FROM collections WHERE tenant = ? AND id = ?'),
    people: db.prepare<[string, string], { user_id: string; display_name: string | null; first_at: string | null; documents: string; reminders: number }>(
      `SELECT a.user_id, u.display_name,
         (SELECT MIN(d.deposited_at) FROM documents d WHERE d.tenant = a.tenant AND d.collection_id = a.collection_id AND d.depositor_id = a.user_id AND d.deleted = 0) AS first_at,
         (SELECT json_group_array(d.id ORDER BY d.seq) FROM documents d WHERE d.tenant = a.tenant AND d.collection_id = a.collection_id AND d.depositor_id = a.user_id AND d.deleted = 0) AS documents,
         (SELECT count(*) FROM collection_reminders m WHERE m.tenant = a.tenant AND m.collection_id = a.collection_id AND m.user_id = a.user_id) AS reminders
       FROM collection_asked a LEFT JOIN users u ON u.tenant = a.tenant AND u.id = a.user_id
       WHERE a.tenant = ? AND a.collection_id = ? ORDER BY a.user_id`,
    ),
    asRequester: db.prepare<[string, string, number, number], Row & { seq: number }>('SELECT * FROM collections WHERE tenant = ? AND requester_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
    asAsked: db.prepare<[string, string, number, number], Row & { seq: number }>(
      `SELECT c.* FROM collection_asked a JOIN collections c ON c.tenant = a.tenant AND c.id = a.collection_id
       WHERE a.tenant = ? AND a.user_id = ? AND c.status <> 'draft' AND c.seq < ? ORDER BY c.seq DESC LIMIT ?`,
    ),
    submitters: db.prepare<[string, string], { depositor_id: string }>('SELECT DISTINCT depositor_id FROM documents WHERE tenant = ? AND collection_id = ? AND deleted = 0'),
  };
  const summary = (r: Row): CollectionSummary => ({
    id: r.id,
    year: r.year,
    requesterId: r.requester_id,
    title: r.title,
    instructions: r.instructions,
    categoryId: r.category_id,
    dueAt: r.due_at,
    status: r.status,
    createdAt: r.created_at,
  });
  return {
    collection: (tenant: string, id: string): CollectionView | undefined => {
      const row = sql.one.get(tenant, id);
      if (!row) return undefined;
      return {
        ...summary(row),
        people: sql.people.all(tenant, id).map((p) => ({
          userId: p.user_id,
          displayName: p.display_name,
          status: submissionStatus(row.due_at, p.first_at),
          submittedAt: p.first_at,
          documentIds: JSON.parse(p.documents),
          reminders: p.reminders,
        })),
      };
    },
    collections: (tenant: string, userId: string, role: 'requester' | 'asked', page: PageRequest): Page<CollectionSummary> =>
      pageOf((role === 'requester' ? sql.asRequester : sql.asAsked).all(tenant, userId, before(page), page.limit + 1), page.limit, (r) => r.seq, summary),
    collectionSubmitters: (tenant: string, id: string): Set<string> => new Set(sql.submitters.all(tenant, id).map((r) => r.depositor_id)),
  };
};
