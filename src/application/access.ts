import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { canRead, holdsLocker, schoolYearOf, type DirectoryUser, type Permission, type TenantSettings } from '../domain/index.js';
import type { Actor, Deps } from './deps.js';
import { forbidden, notFound, type AppError, type UseCaseError } from './errors.js';
import type { DocumentView } from './ports/read-models.js';

export type Member = DirectoryUser & { permissions: string[] };

/**
 * A token is not enough: its subject must be in the tenant's directory now. Every use case starts
 * here (or with one of the two below), so someone who left, or became a student, keeps nothing
 * of a still-valid token.
 */
export const member = (deps: Deps, actor: Actor): Result<Member, AppError> => {
  const user = deps.readModels.user(actor.tenant, actor.userId);
  return user ? ok(user) : err(forbidden('user is not in the directory of this tenant'));
};

export const withPermission = (deps: Deps, actor: Actor, permission: Permission): Result<Member, AppError> =>
  member(deps, actor).andThen((user) => (user.permissions.includes(permission) ? ok(user) : err(forbidden(`requires the permission ${permission}`))));

/** Documents are for locker holders only: in the directory now, and not a student (the domain's rule). */
export const lockerHolder = (deps: Deps, actor: Actor): Result<Member, AppError> =>
  member(deps, actor).andThen((user) =>
    holdsLocker(deps.readModels.directoryView(actor.tenant), user.id) ? ok(user) : err(forbidden('students have no locker')),
  );

/**
 * A document the actor may read, as the read models have it: the domain's reading rule, with
 * "recipient" meaning a current one who has not removed it from their locker. Anything else is
 * "not found", so a probe learns nothing about other people's documents.
 */
export const readableDocument = (deps: Deps, actor: Actor, documentId: string): Result<DocumentView, AppError> =>
  lockerHolder(deps, actor).andThen(() => {
    const doc = deps.readModels.document(actor.tenant, documentId);
    if (!doc) return err(notFound('document'));
    const readable = canRead(
      { status: doc.deleted ? 'deleted' : 'live', depositorId: doc.depositorId, recipients: { has: (u) => deps.readModels.isCurrentRecipient(actor.tenant, documentId, u) } },
      actor.userId,
    );
    return readable ? ok(doc) : err(notFound('document'));
  });

export const maxDocumentBytes = (deps: Deps, tenant: string): number =>
  deps.readModels.settings(tenant).maxDocumentBytes ?? deps.defaultMaxDocumentBytes;

/** Categories and limits as the read models have them: the context of document decisions. */
export const tenantSettingsOf = (deps: Deps, tenant: string): TenantSettings => {
  const settings = deps.readModels.settings(tenant);
  return {
    categories: new Map(deps.readModels.categories(tenant).map((c) => [c.id, c])),
    maxDocumentBytes: settings.maxDocumentBytes ?? undefined,
    currentYear: settings.currentYear ?? undefined,
    clouds: settings.clouds,
  };
};

export const currentYear = (deps: Deps, tenant: string): string =>
  deps.readModels.settings(tenant).currentYear ?? schoolYearOf(deps.clock.now());

/** A synchronous answer, lifted into the use cases' one asynchronous error channel. */
export const fromResult = <T, E extends UseCaseError>(result: Result<T, E>): ResultAsync<T, UseCaseError> =>
  result.isOk() ? okAsync(result.value) : errAsync(result.error);

/** The document as the read model has it after a command: the answer of most management routes. */
export const documentView = (deps: Deps, tenant: string, documentId: string): Result<DocumentView, UseCaseError> => {
  const doc = deps.readModels.document(tenant, documentId);
  return doc ? ok(doc) : err(notFound('document'));
};
