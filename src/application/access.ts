import { err, ok, type Result } from 'neverthrow';
import { schoolYearOf, type DirectoryUser, type Permission, type TenantSettings } from '../domain/index.js';
import type { Actor, Deps } from './deps.js';
import { forbidden, notFound, type AppError } from './errors.js';
import type { DocumentView } from './ports/read-models.js';

export type Member = DirectoryUser & { permissions: string[] };

/** A token is not enough: its subject must be in the tenant's directory today. */
export const member = (deps: Deps, actor: Actor): Result<Member, AppError> => {
  const user = deps.readModels.user(actor.tenant, actor.userId);
  return user ? ok(user) : err(forbidden('user is not in the directory of this tenant'));
};

export const withPermission = (deps: Deps, actor: Actor, permission: Permission): Result<Member, AppError> =>
  member(deps, actor).andThen((user) =>
    user.permissions.includes(permission) ? ok(user) : err(forbidden(`requires the permission ${permission}`)),
  );

export const staffMember = (deps: Deps, actor: Actor): Result<Member, AppError> =>
  member(deps, actor).andThen((user) => (user.kind === 'student' ? err(forbidden('students have no locker')) : ok(user)));

/**
 * A document the actor may see: in their tenant, not deleted, and they deposited it or it is in
 * their locker. Anything else is "not found", so a probe learns nothing about other people's documents.
 */
export const visibleDocument = (deps: Deps, actor: Actor, documentId: string): Result<DocumentView, AppError> => {
  const doc = deps.readModels.document(actor.tenant, documentId);
  if (!doc || doc.deleted) return err(notFound('document'));
  if (doc.depositorId === actor.userId || deps.readModels.isCurrentRecipient(actor.tenant, documentId, actor.userId)) return ok(doc);
  return err(notFound('document'));
};

export const managedDocument = (deps: Deps, actor: Actor, documentId: string): Result<DocumentView, AppError> =>
  visibleDocument(deps, actor, documentId).andThen((doc) =>
    doc.depositorId === actor.userId ? ok(doc) : err(forbidden('only the depositor manages a document')),
  );

export const maxDocumentBytes = (deps: Deps, tenant: string): number =>
  deps.readModels.settings(tenant).maxDocumentBytes ?? deps.defaultMaxDocumentBytes;

/** Categories and limits as the read models have them: the context of document decisions. */
export const tenantSettingsOf = (deps: Deps, tenant: string): TenantSettings => {
  const settings = deps.readModels.settings(tenant);
  return {
    categories: new Map(deps.readModels.categories(tenant).map((c) => [c.id, c])),
    maxDocumentBytes: settings.maxDocumentBytes ?? undefined,
    currentYear: settings.currentYear ?? undefined,
  };
};

export const currentYear = (deps: Deps, tenant: string): string =>
  deps.readModels.settings(tenant).currentYear ?? schoolYearOf(deps.clock.now());
