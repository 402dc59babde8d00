import { createLockerClient, type components, type LockerClient } from '@digital-locker/client';
import type { Session } from './session.js';

export type Problem = components['schemas']['Problem'];

/** The console talks to the public API only, through the project's own typed client. */
export const apiFor = (session: Session): LockerClient => createLockerClient(location.origin, () => session.token);

/** What a refused call says, for a person: the problem's detail or title, else the status. */
export const describeProblem = (error: unknown, status: number): string => {
  const p = error as Partial<Problem> | undefined;
  return p?.detail ?? p?.title ?? `HTTP ${status}`;
};

/**
 * The people the school erased, as the history records them (auditors read it; the directory no
 * longer has them). Read once a minute at most for a signed-in client, not at every query.
 */
const erasedRead = new WeakMap<LockerClient, { at: number; people: Promise<Set<string>> }>();
export const erasedPeople = (api: LockerClient): Promise<Set<string>> => {
  const kept = erasedRead.get(api);
  if (kept && Date.now() - kept.at < 60_000) return kept.people;
  const people = readErased(api);
  erasedRead.set(api, { at: Date.now(), people });
  return people;
};

const readErased = async (api: LockerClient): Promise<Set<string>> => {
  const erased = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const { data } = await api.GET('/v1/audit/events', { params: { query: { type: 'PersonErased', limit: 1000, ...(cursor ? { cursor } : {}) } } });
    if (!data) break;
    for (const e of data.items) {
      const userId = (e.data as { userId?: unknown } | undefined)?.userId;
      if (typeof userId === 'string') erased.add(userId);
    }
    if (!data.nextCursor) break;
    cursor = data.nextCursor;
  }
  return erased;
};

import type { paths } from '@digital-locker/client';

/** An answer's JSON body, as the OpenAPI document types it. */
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : paths[P][M] extends { responses: { 202: { content: { 'application/json': infer T } } } }
    ? T
    : never;

export type DocumentHistory = Ok<'/v1/audit/documents/{id}/history', 'get'>;
export type LockerAsOf = Ok<'/v1/audit/lockers/{userId}', 'get'>;
export type RolloverJob = Ok<'/v1/rollovers/{id}', 'get'>;
