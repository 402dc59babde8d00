import { ok, type Result } from 'neverthrow';
import { currentYear, member, staffMember, visibleDocument, withPermission } from './access.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import type { RecordedEvent } from './ports/event-store.js';
import type { DistributionItem, DocumentView, LockerItem, NotificationView, Page, PageRequest } from './ports/read-models.js';
import type { ResultAsync } from 'neverthrow';

export const getDocument = (deps: Deps) => (actor: Actor, documentId: string): Result<DocumentView, UseCaseError> =>
  member(deps, actor).andThen(() => visibleDocument(deps, actor, documentId));

export const myLocker =
  (deps: Deps) =>
  (actor: Actor, filter: { categoryId?: string | undefined; year?: string | undefined }, page: PageRequest): Result<Page<LockerItem>, UseCaseError> =>
    staffMember(deps, actor).map(() =>
      deps.readModels.locker(actor.tenant, actor.userId, { ...filter, year: filter.year ?? currentYear(deps, actor.tenant) }, page),
    );

export const myDistribution =
  (deps: Deps) =>
  (actor: Actor, year: string | undefined, page: PageRequest): Result<Page<DistributionItem>, UseCaseError> =>
    staffMember(deps, actor).map(() => deps.readModels.distribution(actor.tenant, actor.userId, year ?? currentYear(deps, actor.tenant), page));

export const myNotifications =
  (deps: Deps) =>
  (actor: Actor, page: PageRequest): Result<Page<NotificationView>, UseCaseError> =>
    staffMember(deps, actor).map(() => deps.readModels.notifications(actor.tenant, actor.userId, page));

export type AuditPage = { events: RecordedEvent[]; next: string | null };

/** The tenant's history straight from the log, not from a projection: auditors see what was written. */
export const auditEvents =
  (deps: Deps) =>
  (actor: Actor, after: bigint | undefined, limit: number): ResultAsync<AuditPage, UseCaseError> =>
    withPermission(deps, actor, 'locker.audit').asyncAndThen(() =>
      deps.events.readAll({ after, limit, tenant: actor.tenant }).andThen((events) =>
        ok({ events, next: events.length === limit ? String(events[events.length - 1]!.position) : null }),
      ),
    );
