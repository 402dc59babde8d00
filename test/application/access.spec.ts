import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentYear, documentView, lockerHolder, maxDocumentBytes, member, readableDocument, withPermission } from '../../src/application/access.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

const NOT_FOUND = { code: 'NOT_FOUND', resource: 'document' };

/** The access checks every use case starts with, on the embedded adapters. */
describe('access: who the actor is, and which documents they may see', () => {
  let app: EmbeddedApp;
  let documentId: string;
  beforeAll(async () => {
    app = await embeddedApp({ env: { LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: '4096' } });
    const categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    documentId = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId);
  });
  afterAll(() => app.stop());

  it('a member is someone in the tenant’s directory now; permissions and lockers are checked on top', () => {
    expect(member(app.deps, as('anne'))._unsafeUnwrap()).toMatchObject({ id: 'anne', permissions: ['locker.deposit'] });
    expect(member(app.deps, as('ghost'))._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', reason: 'user is not in the directory of this tenant' });
    expect(member(app.deps, as('anne', 'elsewhere')).isErr()).toBe(true);
    expect(withPermission(app.deps, as('admin'), 'locker.admin')._unsafeUnwrap().id).toBe('admin');
    expect(withPermission(app.deps, as('anne'), 'locker.admin')._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', reason: 'requires the permission locker.admin' });
    expect(lockerHolder(app.deps, as('marc'))._unsafeUnwrap().id).toBe('marc');
    expect(lockerHolder(app.deps, as('leo'))._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', reason: 'students have no locker' });
  });

  it('the depositor and a current recipient read the document; to anyone else it is exactly as missing as a document that does not exist', async () => {
    expect(readableDocument(app.deps, as('anne'), documentId)._unsafeUnwrap().id).toBe(documentId);
    expect(readableDocument(app.deps, as('marc'), documentId)._unsafeUnwrap().id).toBe(documentId);
    expect(readableDocument(app.deps, as('paul'), documentId)._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    expect(readableDocument(app.deps, as('paul'), 'no-such-document')._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    expect(documentView(app.deps, 'school', 'no-such-document')._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    expect(documentView(app.deps, 'school', documentId)._unsafeUnwrap().id).toBe(documentId);
    // Deleted for everyone: nobody reads it any more, the depositor included.
    (await app.useCases.deleteForAll(as('anne'), documentId))._unsafeUnwrap();
    expect(readableDocument(app.deps, as('marc'), documentId)._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    expect(readableDocument(app.deps, as('anne'), documentId)._unsafeUnwrapErr()).toEqual(NOT_FOUND);
  });

  it('limits and the year fall back to the deployment’s default and the clock’s school year', () => {
    expect(maxDocumentBytes(app.deps, 'school')).toBe(4096);
    expect(currentYear(app.deps, 'nowhere')).toMatch(/^\d{4}-\d{4}$/);
  });
});
