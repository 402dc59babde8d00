import type { ResultAsync } from 'neverthrow';
import { fromResult, currentYear, lockerHolder, readableDocument } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import type { DistributionItem, DocumentView, LockerItem, NotificationView, Page, PageRequest } from '../ports/read-models.js';

export const getDocument = (deps: Deps) => (actor: Actor, documentId: string): ResultAsync<DocumentView, UseCaseError> =>
  fromResult(readableDocument(deps, actor, documentId));

export const myLocker =
  (deps: Deps) =>
  (
    actor: Actor,
    filter: { categoryId?: string | undefined; year?: string | undefined; removed?: boolean | undefined; toAcknowledge?: boolean | undefined },
    page: PageRequest,
  ): ResultAsync<Page<LockerItem>, UseCaseError> =>
    fromResult(lockerHolder(deps, actor)).map(() =>
      deps.readModels.locker(actor.tenant, actor.userId, { ...filter, year: filter.year ?? currentYear(deps, actor.tenant) }, page),
    );

export const myDistribution =
  (deps: Deps) =>
  (actor: Actor, year: string | undefined, page: PageRequest): ResultAsync<Page<DistributionItem>, UseCaseError> =>
    fromResult(lockerHolder(deps, actor)).map(() => deps.readModels.distribution(actor.tenant, actor.userId, year ?? currentYear(deps, actor.tenant), page));

export const myNotifications =
  (deps: Deps) =>
  (actor: Actor, page: PageRequest, filter: { unread?: boolean | undefined } = {}): ResultAsync<Page<NotificationView>, UseCaseError> =>
    fromResult(lockerHolder(deps, actor)).map(() => deps.readModels.notifications(actor.tenant, actor.userId, page, filter));

export const unreadNotificationCount =
  (deps: Deps) =>
  (actor: Actor): ResultAsync<{ unread: number }, UseCaseError> =>
    fromResult(lockerHolder(deps, actor)).map(() => ({ unread: deps.readModels.unreadNotifications(actor.tenant, actor.userId).count }));
