import { describe, expect, it } from 'vitest';
import { documentDecider, viewOf, type DocumentCommand, type DocumentEvent } from '../../src/domain/index.js';
import { schoolDirectory } from '../support/fixtures.js';
import { AT, context, deposited, directory, file, given, YEAR } from './given.js';

// The rules of a document's life that the main specs reach only through the application's tests:
// what a deposit's options write, retention's boundary, adding classes and groups, and how a
// carried document is addressed in the next year.

const document = (history: DocumentEvent[]) => given(documentDecider, history);
const byAnne = { actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR };
const DAY = 24 * 60 * 60 * 1000;
const plus = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();

const deposit = (over: Partial<Extract<DocumentCommand, { type: 'Deposit' }>> = {}): DocumentCommand => ({
  type: 'Deposit',
  actorId: 'anne',
  at: AT,
  documentId: 'doc-1',
  recipients: { users: ['marc'], classes: [] },
  categoryId: 'minutes',
  title: 'Minutes',
  memo: null,
  context,
  file: file(),
  ...over,
});

describe("a deposit's options", () => {
  it('are written on the event: editing by recipients, acknowledgement with its date, the idempotency key, the collection, the cloud source', () => {
    const cloud = { provider: 'webdav', path: '/minutes.pdf' } as const;
    const event = {
      type: 'DocumentDeposited',
      data: {
        documentId: 'doc-1',
        year: YEAR,
        depositorId: 'anne',
        title: 'Minutes',
        categoryId: 'minutes',
        memo: null,
        recipientIds: ['marc'],
        named: ['marc'],
        classes: [],
        groups: [],
        content: { ...file(), version: 1 },
        source: 'cloud',
        cloud,
        recipientsMayEdit: true,
        acknowledgement: { required: true, dueAt: plus(DAY) },
        idempotency: { key: 'k', fingerprint: 'f' },
        collectionId: 'c-1',
      },
      actor: 'anne',
      at: AT,
    } as unknown as DocumentEvent;
    const state = document([])
      .when(
        deposit({ cloud: cloud as never, recipientsMayEdit: true, acknowledgement: { required: true, dueAt: plus(DAY) }, idempotency: { key: 'k', fingerprint: 'f' }, collectionId: 'c-1' }),
      )
      .then([event]);
    expect(state.status === 'live' && [state.recipientsMayEdit, state.acknowledgement]).toEqual([true, { required: true, dueAt: plus(DAY), askedFrom: 1 }]);
  });

  it('asked for no acknowledgement, or editing, write nothing about them', () => {
    const state = document([]).when(deposit({ recipientsMayEdit: false, acknowledgement: { required: false } })).then([{ ...deposited(), data: { ...(deposited().data as object), title: 'Minutes' } } as DocumentEvent]);
    expect(state.status === 'live' && [state.recipientsMayEdit, state.acknowledgement.required]).toEqual([false, false]);
  });

  it('a submission to a collection may come from any locker holder, not only a depositor; never from a student', () => {
    const submitted = document([]).when(deposit({ actorId: 'marc', recipients: { users: ['anne'], classes: [] }, collectionId: 'c-1' }));
    submitted.then([
      {
        ...deposited({ depositor: 'marc', recipients: ['anne'] }),
        data: { ...(deposited({ depositor: 'marc', recipients: ['anne'] }).data as object), collectionId: 'c-1' },
      } as DocumentEvent,
    ]);
    document([]).when(deposit({ actorId: 'leo', recipients: { users: ['anne'], classes: [] }, collectionId: 'c-1' })).thenError('NOT_ALLOWED_TO_DEPOSIT', { userId: 'leo' });
  });
});

describe('retention', () => {
  const expire = (at: string): DocumentCommand => ({ type: 'Expire', actorId: 'system', at, documentId: 'doc-1', retentionDays: 30 });

  it('expires a document on the day its retention ends, to the millisecond, and not a millisecond before', () => {
    document([deposited()]).when(expire(plus(30 * DAY - 1))).then([]);
    document([deposited()])
      .when(expire(plus(30 * DAY)))
      .then([{ type: 'DocumentExpired', data: { documentId: 'doc-1', retentionDays: 30 }, actor: 'system', at: plus(30 * DAY) }]);
  });

  it('leaves a deleted document alone', () => {
    document([deposited(), { type: 'DocumentDeletedForAll', data: { documentId: 'doc-1' }, actor: 'anne', at: AT }]).when(expire(plus(365 * DAY))).then([]);
  });
});

describe('adding recipients by class and group', () => {
  const add = (users: string[], classes: string[], groups: ('teachers' | 'counselors')[] = []): DocumentCommand => ({ type: 'AddRecipients', ...byAnne, directory, recipients: { users, classes, groups } });
  const viaClass = deposited({ recipients: ['paul', 'marc'], named: [], classes: [{ classId: '3a', teacherIds: ['anne', 'paul', 'marc'] }] });

  it('a class or group the document already follows adds nothing', () => {
    document([viaClass]).when(add([], ['3a'])).then([]);
    // Among several classes, the one asked again is one of them.
    const twoClasses = deposited({ recipients: ['paul', 'marc', 'sophie'], named: [], classes: [{ classId: '3a', teacherIds: ['anne', 'paul', 'marc'] }, { classId: '4b', teacherIds: ['marc', 'sophie'] }] });
    document([twoClasses]).when(add([], ['4b'])).then([]);
    document([deposited({ recipients: ['sophie'], named: [], groups: ['counselors'] })]).when(add([], [], ['counselors'])).then([]);
  });

  it('naming someone already reached through a class, with a new class of nobody new, is still recorded', () => {
    document([viaClass])
      .when(add(['marc'], ['4b']))
      .then([
        {
          type: 'RecipientAdded',
          data: { documentId: 'doc-1', recipientIds: ['sophie'], named: ['marc'], classes: [{ classId: '4b', teacherIds: ['marc', 'sophie'] }], groups: [] },
          actor: 'anne',
          at: AT,
        },
      ]);
    const both = deposited({ recipients: ['paul', 'marc', 'sophie'], named: [], classes: [{ classId: '3a', teacherIds: ['anne', 'paul', 'marc'] }] });
    document([both])
      .when(add(['marc'], []))
      .then([{ type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: [], named: ['marc'], classes: [], groups: [] }, actor: 'anne', at: AT }]);
    document([both])
      .when(add([], [], ['counselors']))
      .then([{ type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: [], named: [], classes: [], groups: ['counselors'] }, actor: 'anne', at: AT }]);
  });

  it('a new class whose team has it already, with someone named who had it through a class, is recorded', () => {
    const all = deposited({ recipients: ['paul', 'marc', 'sophie'], named: [], classes: [{ classId: '3a', teacherIds: ['anne', 'paul', 'marc'] }] });
    document([all])
      .when(add(['marc'], ['4b']))
      .then([{ type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: [], named: ['marc'], classes: [{ classId: '4b', teacherIds: ['marc', 'sophie'] }], groups: [] }, actor: 'anne', at: AT }]);
  });

  it('the folded state keeps each class once, and counts who joined through one', () => {
    const state = document([
      viaClass,
      { type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: ['sophie'], named: [], classes: [{ classId: '3a', teacherIds: ['anne'] }, { classId: '4b', teacherIds: ['sophie'] }], groups: [] }, actor: 'anne', at: AT },
      { type: 'RecipientJoined', data: { documentId: 'doc-1', userId: 'admin', via: 'class:3a' }, actor: 'admin', at: plus(1) },
    ]).state;
    expect(state.status === 'live' && [state.classes.map((c) => c.classId), [...state.recipients], state.updatedAt]).toEqual([['3a', '4b'], ['paul', 'marc', 'sophie', 'admin'], plus(1)]);
  });
});

describe('the depositor changing details', () => {
  const change = (acknowledgement: { required: boolean; dueAt?: string | null }): DocumentCommand => ({ type: 'ChangeDetails', ...byAnne, settings: context.settings, acknowledgement });

  it('asking for an acknowledgement records it once, asking everyone from the current version', () => {
    const asked: DocumentEvent = { type: 'AcknowledgementSet', data: { documentId: 'doc-1', required: true, dueAt: plus(DAY), ask: true }, actor: 'anne', at: AT };
    const state = document([deposited()]).when(change({ required: true, dueAt: plus(DAY) })).then([asked]);
    expect(state.status === 'live' && state.acknowledgement).toEqual({ required: true, dueAt: plus(DAY), askedFrom: 1 });
    document([deposited(), asked]).when(change({ required: true, dueAt: plus(DAY) })).then([]);
    const moved: DocumentEvent = { type: 'AcknowledgementSet', data: { documentId: 'doc-1', required: true, dueAt: plus(2 * DAY), ask: false }, actor: 'anne', at: AT };
    document([deposited(), asked]).when(change({ required: true, dueAt: plus(2 * DAY) })).then([moved]);
  });

  it('a due date moved keeps the version acknowledgements are asked from', () => {
    const updated: DocumentEvent = { type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version: 2 }, minor: true }, actor: 'anne', at: AT };
    const state = document([
      deposited(),
      { type: 'AcknowledgementSet', data: { documentId: 'doc-1', required: true, dueAt: null, ask: true }, actor: 'anne', at: AT },
      updated,
      { type: 'AcknowledgementSet', data: { documentId: 'doc-1', required: true, dueAt: plus(DAY), ask: false }, actor: 'anne', at: AT },
    ]).state;
    expect(state.status === 'live' && state.acknowledgement).toEqual({ required: true, dueAt: plus(DAY), askedFrom: 1 });
  });

  it('a minor version says so on its event', () => {
    document([deposited()])
      .when({ type: 'UpdateContent', ...byAnne, maxDocumentBytes: 1000, file: file(), minor: true })
      .then([{ type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version: 2 }, minor: true }, actor: 'anne', at: AT }]);
  });

  it('a version taken from a linked cloud says where it came from (issue 37)', () => {
    const cloud = { cloudId: 'nextcloud', path: '/Minutes/june.pdf', etag: '"e-1"' };
    document([deposited()])
      .when({ type: 'UpdateContent', ...byAnne, maxDocumentBytes: 1000, file: file(), cloud })
      .then([{ type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version: 2 }, cloud }, actor: 'anne', at: AT }]);
  });

  it('a recipient allowed to edit uploads a version, but never a minor one', () => {
    const mayEdit: DocumentEvent = { type: 'RecipientsMayEditSet', data: { documentId: 'doc-1', recipientsMayEdit: true }, actor: 'anne', at: AT };
    const byMarc = { ...byAnne, actorId: 'marc' };
    document([deposited(), mayEdit])
      .when({ type: 'UpdateContent', ...byMarc, maxDocumentBytes: 1000, file: file() })
      .then([{ type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version: 2 } }, actor: 'marc', at: AT }]);
    document([deposited(), mayEdit]).when({ type: 'UpdateContent', ...byMarc, maxDocumentBytes: 1000, file: file(), minor: true }).thenError('NOT_DEPOSITOR');
  });
});

describe('carrying a document addressed to classes and groups', () => {
  const nextYear = viewOf({ ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'paul') });
  const source = document([
    deposited({ recipients: ['sophie', 'marc', 'paul'], named: ['sophie', 'marc'], classes: [{ classId: '3a', teacherIds: ['anne', 'paul', 'marc'] }], groups: ['counselors'] }),
    { type: 'RecipientsMayEditSet', data: { documentId: 'doc-1', recipientsMayEdit: true }, actor: 'anne', at: AT },
  ]).state;
  const carry = (over: Partial<Extract<DocumentCommand, { type: 'CarryOver' }>> = {}): DocumentCommand => ({
    type: 'CarryOver',
    actorId: 'admin',
    at: AT,
    newDocumentId: 'doc-2',
    toYear: '2027-2028',
    source,
    directory: nextYear,
    removedBy: new Set(['marc']),
    ...over,
  });

  it("follows the new year's teams and groups, and reaches nobody who left, removed it, or deposited it", () => {
    const state = document([])
      .when(carry())
      .then([
        {
          type: 'DocumentCarriedOver',
          data: {
            documentId: 'doc-2',
            year: '2027-2028',
            sourceDocumentId: 'doc-1',
            sourceYear: YEAR,
            depositorId: 'anne',
            title: 'Minutes',
            categoryId: 'minutes',
            memo: null,
            recipientIds: ['sophie'],
            droppedRecipientIds: ['marc', 'paul'],
            named: ['sophie'],
            classes: [{ classId: '3a', teacherIds: ['anne', 'marc'] }],
            groups: ['counselors'],
            recipientsMayEdit: true,
            content: { ...file(), version: 1 },
          },
          actor: 'admin',
          at: AT,
        },
      ]);
    expect(state.status === 'live' && [state.recipientsMayEdit, state.acknowledgement.required, state.fromSource?.recipients]).toEqual([true, false, new Set(['sophie'])]);
  });

  it('refreshes content that changed only by its name or only by its type', () => {
    const carried = documentDecider.decide(documentDecider.initialState, carry())._unsafeUnwrap();
    for (const change of [{ fileName: 'renamed.pdf' }, { mediaType: 'text/plain' }]) {
      const changed = document([
        deposited({ recipients: ['sophie', 'marc', 'paul'], named: ['sophie', 'marc'], classes: [{ classId: '3a', teacherIds: ['anne', 'paul', 'marc'] }], groups: ['counselors'] }),
        { type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), ...change, version: 2 } }, actor: 'anne', at: AT },
      ]).state;
      const refreshed: DocumentEvent = {
        type: 'CarriedDocumentRefreshed',
        data: { documentId: 'doc-2', sourceDocumentId: 'doc-1', content: { ...file(), ...change, version: 2 }, recipientIds: [] },
        actor: 'admin',
        at: AT,
      };
      const state = document(carried).when(carry({ source: changed })).then([refreshed]);
      expect(state.status === 'live' && [state.versions.length, state.fromSource?.fileName, state.fromSource?.mediaType]).toEqual([2, change.fileName ?? 'minutes.pdf', change.mediaType ?? 'application/pdf']);
    }
  });

  it('a refresh that brings people in makes them named recipients of the new year, remembered as taken from the source', () => {
    const carried = documentDecider.decide(documentDecider.initialState, carry())._unsafeUnwrap();
    const state = document([
      ...carried,
      { type: 'CarriedDocumentRefreshed', data: { documentId: 'doc-2', sourceDocumentId: 'doc-1', recipientIds: ['admin'] }, actor: 'admin', at: plus(1) },
    ]).state;
    expect(state.status === 'live' && [[...state.recipients], [...state.named], [...(state.fromSource?.recipients ?? [])], state.versions.length]).toEqual([
      ['sophie', 'admin'],
      ['sophie', 'admin'],
      ['sophie', 'admin'],
      1,
    ]);
  });
});
