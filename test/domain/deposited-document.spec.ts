import { describe, expect, it } from 'vitest';
import { canManage, canRead, documentDecider, previewRecipients, viewOf, type DocumentCommand, type DocumentEvent } from '../../src/domain/index.js';
import { schoolDirectory } from '../support/fixtures.js';
import { AT, context, deposited, directory, file, given, settings, YEAR } from './given.js';

const document = (history: DocumentEvent[]) => given(documentDecider, history);

const deposit = (over: Partial<Extract<DocumentCommand, { type: 'Deposit' }>> = {}): DocumentCommand => ({
  type: 'Deposit',
  actorId: 'anne',
  at: AT,
  documentId: 'doc-1',
  recipients: { users: ['marc'], classes: [] },
  categoryId: 'minutes',
  title: null,
  memo: null,
  context,
  file: file(),
  ...over,
});

const byAnne = { actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR };
const byPaul = { ...byAnne, actorId: 'paul' };
const updated = (version: number): DocumentEvent => ({ type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version } }, actor: 'anne', at: AT });
const consulted = (userId: string, version = 1): DocumentEvent => ({ type: 'DocumentConsulted', data: { documentId: 'doc-1', userId, version }, actor: userId, at: AT });
const deletedForAll: DocumentEvent = { type: 'DocumentDeletedForAll', data: { documentId: 'doc-1' }, actor: 'anne', at: AT };

describe('depositing', () => {
  it('records one event with the resolved recipients, version 1, trimmed texts and the file name as title', () => {
    document([])
      .when(deposit({ recipients: { users: ['sophie'], classes: ['3a'] }, memo: '  Read me  ', title: '   ' }))
      .then([
        {
          type: 'DocumentDeposited',
          data: {
            documentId: 'doc-1',
            year: YEAR,
            depositorId: 'anne',
            title: 'minutes.pdf',
            categoryId: 'minutes',
            memo: 'Read me',
            recipientIds: ['sophie', 'paul', 'marc'],
            named: ['sophie'],
            classes: [{ classId: '3a', teacherIds: ['anne', 'paul', 'marc'] }],
            groups: [],
            content: { ...file(), version: 1 },
            source: 'upload',
          },
          actor: 'anne',
          at: AT,
        },
      ]);
  });

  it('refuses a depositor without locker.deposit, and a student even with it', () => {
    document([]).when(deposit({ actorId: 'marc' })).thenError('NOT_ALLOWED_TO_DEPOSIT', { userId: 'marc' });
    document([]).when(deposit({ actorId: 'leo' })).thenError('NOT_ALLOWED_TO_DEPOSIT', { userId: 'leo' });
    document([]).when(deposit({ actorId: 'ghost' })).thenError('NOT_ALLOWED_TO_DEPOSIT', { userId: 'ghost' });
  });

  it('names every refused recipient: students, unknown users, unknown classes, classes with no team', () => {
    document([])
      .when(deposit({ recipients: { users: ['leo', 'ghost', 'marc'], classes: ['nope', 'empty'] } }))
      .thenError('RECIPIENTS_REFUSED', {
        refused: [
          { kind: 'user', id: 'leo', reason: 'student' },
          { kind: 'user', id: 'ghost', reason: 'unknown' },
          { kind: 'class', id: 'nope', reason: 'unknown' },
          { kind: 'class', id: 'empty', reason: 'no-teaching-team' },
        ],
      });
  });

  it('refuses a deposit whose only recipient is the depositor', () => {
    document([]).when(deposit({ recipients: { users: ['anne'], classes: [] } })).thenError('NO_RECIPIENTS');
  });

  it('refuses unknown and retired categories', () => {
    document([]).when(deposit({ categoryId: 'nope' })).thenError('CATEGORY_NOT_FOUND', { categoryId: 'nope' });
    document([]).when(deposit({ categoryId: 'old' })).thenError('CATEGORY_RETIRED', { categoryId: 'old' });
  });

  it('refuses an empty file and one over the limit, accepts one at the limit', () => {
    document([]).when(deposit({ file: file({ sizeBytes: 0 }) })).thenError('EMPTY_FILE');
    document([]).when(deposit({ file: file({ sizeBytes: 1001 }) })).thenError('FILE_TOO_LARGE', { maxDocumentBytes: 1000 });
    expect(documentDecider.decide(documentDecider.initialState, deposit({ file: file({ sizeBytes: 1000 }) })).isOk()).toBe(true);
  });

  it('refuses texts over their limits, and accepts them at the limit', () => {
    document([]).when(deposit({ title: 'x'.repeat(201) })).thenError('TEXT_TOO_LONG', { field: 'title', max: 200 });
    document([]).when(deposit({ memo: 'x'.repeat(2001) })).thenError('TEXT_TOO_LONG', { field: 'memo', max: 2000 });
    document([]).when(deposit({ file: file({ fileName: 'x'.repeat(256) }) })).thenError('TEXT_TOO_LONG', { field: 'fileName', max: 255 });
    expect(documentDecider.decide(documentDecider.initialState, deposit({ title: 'x'.repeat(200), memo: 'y'.repeat(2000) })).isOk()).toBe(true);
  });

  it('refuses to deposit twice on the same document', () => {
    document([deposited()]).when(deposit()).thenError('ALREADY_DEPOSITED', { documentId: 'doc-1' });
  });

  it('the same request under the same Idempotency-Key changes nothing; another request under it is refused', () => {
    const idempotency = { key: 'k1', fingerprint: 'f1' };
    const first = documentDecider.decide(documentDecider.initialState, deposit({ idempotency }))._unsafeUnwrap();
    document(first).when(deposit({ idempotency })).then([]);
    document(first).when(deposit({ idempotency: { key: 'k1', fingerprint: 'f2' } })).thenError('IDEMPOTENCY_KEY_REUSED', { key: 'k1' });
    document(first).when(deposit()).thenError('ALREADY_DEPOSITED');
  });
});

describe('managing a deposited document', () => {
  const history = [deposited({ recipients: ['paul'] })];

  it('only the depositor manages it: a recipient is told so, a stranger learns nothing', () => {
    const commands: DocumentCommand[] = [
      { type: 'AddRecipients', ...byPaul, directory, recipients: { users: ['marc'], classes: [] } },
      { type: 'ChangeDetails', ...byPaul, settings, memo: 'x' },
      { type: 'UpdateContent', ...byPaul, maxDocumentBytes: 1000, file: file() },
      { type: 'DeleteForAll', ...byPaul },
    ];
    for (const command of commands) {
      document(history).when(command).thenError('NOT_DEPOSITOR', { documentId: 'doc-1' });
      document(history).when({ ...command, actorId: 'sophie' }).thenError('DOCUMENT_NOT_FOUND', { documentId: 'doc-1' });
      document([]).when(command).thenError('DOCUMENT_NOT_FOUND', { documentId: 'doc-1' });
    }
  });

  it('only in its own school year: an earlier year is closed, a later one not open yet', () => {
    document([deposited({ year: '2025-2026' })]).when({ type: 'DeleteForAll', ...byAnne }).thenError('YEAR_CLOSED', { documentId: 'doc-1', year: '2025-2026' });
    document([deposited({ year: '2027-2028' })]).when({ type: 'DeleteForAll', ...byAnne }).thenError('YEAR_NOT_OPEN', { documentId: 'doc-1', year: '2027-2028' });
  });

  it('adding an existing recipient is a no-op, adding a new one records only them', () => {
    document([deposited({ recipients: ['marc'] })]).when({ type: 'AddRecipients', ...byAnne, directory, recipients: { users: ['marc'], classes: [] } }).then([]);
    document([deposited({ recipients: ['marc'] })])
      .when({ type: 'AddRecipients', ...byAnne, directory, recipients: { users: ['marc', 'sophie'], classes: [] } })
      .then([{ type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: ['sophie'], named: ['sophie'], classes: [], groups: [] }, actor: 'anne', at: AT }]);
  });

  it('refuses students and unknown people as new recipients', () => {
    document([deposited()])
      .when({ type: 'AddRecipients', ...byAnne, directory, recipients: { users: ['leo'], classes: [] } })
      .thenError('RECIPIENTS_REFUSED', { refused: [{ kind: 'user', id: 'leo', reason: 'student' }] });
  });

  it('a memo change that changes nothing records nothing; blanks clear it; a new one is trimmed', () => {
    document([deposited()]).when({ type: 'ChangeDetails', ...byAnne, settings, memo: '  ' }).then([]);
    document([deposited({ memo: 'Old' })])
      .when({ type: 'ChangeDetails', ...byAnne, settings, memo: '  ' })
      .then([{ type: 'MemoChanged', data: { documentId: 'doc-1', memo: null }, actor: 'anne', at: AT }]);
    document([deposited()])
      .when({ type: 'ChangeDetails', ...byAnne, settings, memo: ' Read before Monday ' })
      .then([{ type: 'MemoChanged', data: { documentId: 'doc-1', memo: 'Read before Monday' }, actor: 'anne', at: AT }]);
    document([deposited()]).when({ type: 'ChangeDetails', ...byAnne, settings, memo: 'x'.repeat(2001) }).thenError('TEXT_TOO_LONG');
  });

  it('changes only what is asked, and nothing when it is already so', () => {
    document([deposited({ memo: 'Old' })]).when({ type: 'ChangeDetails', ...byAnne, settings, categoryId: 'minutes' }).then([]);
    const other = { ...settings, categories: new Map([...settings.categories, ['exams', { id: 'exams', designation: 'Exams', retired: false }]]) };
    document([deposited({ memo: 'Old' })])
      .when({ type: 'ChangeDetails', ...byAnne, settings: other, categoryId: 'exams' })
      .then([{ type: 'CategoryChanged', data: { documentId: 'doc-1', categoryId: 'exams' }, actor: 'anne', at: AT }]);
  });

  it('category and memo change together or not at all', () => {
    document([deposited()]).when({ type: 'ChangeDetails', ...byAnne, settings, categoryId: 'old', memo: 'x' }).thenError('CATEGORY_RETIRED');
    document([deposited()]).when({ type: 'ChangeDetails', ...byAnne, settings, categoryId: 'minutes', memo: 'x'.repeat(2001) }).thenError('TEXT_TOO_LONG');
  });

  it('a new version is the next number, within the size limit', () => {
    document([deposited(), updated(2)])
      .when({ type: 'UpdateContent', ...byAnne, maxDocumentBytes: 1000, file: file() })
      .then([{ type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version: 3 } }, actor: 'anne', at: AT }]);
    document([deposited()]).when({ type: 'UpdateContent', ...byAnne, maxDocumentBytes: 5, file: file() }).thenError('FILE_TOO_LARGE', { maxDocumentBytes: 5 });
    document([deposited()]).when({ type: 'UpdateContent', ...byAnne, maxDocumentBytes: 1000, file: file({ sizeBytes: 0 }) }).thenError('EMPTY_FILE');
  });

  it('recipients upload new versions when the depositor allows it, and nothing else', () => {
    const mayEdit: DocumentEvent = { type: 'RecipientsMayEditSet', data: { documentId: 'doc-1', recipientsMayEdit: true }, actor: 'anne', at: AT };
    document([deposited({ recipients: ['marc'] })]).when({ type: 'ChangeDetails', ...byAnne, settings, recipientsMayEdit: true }).then([mayEdit]);
    document([deposited({ recipients: ['marc'] }), mayEdit]).when({ type: 'ChangeDetails', ...byAnne, settings, recipientsMayEdit: true }).then([]);
    const byMarc = { ...byAnne, actorId: 'marc' };
    document([deposited({ recipients: ['marc'] }), mayEdit])
      .when({ type: 'UpdateContent', ...byMarc, maxDocumentBytes: 1000, file: file() })
      .then([{ type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version: 2 } }, actor: 'marc', at: AT }]);
    document([deposited({ recipients: ['marc'] })]).when({ type: 'UpdateContent', ...byMarc, maxDocumentBytes: 1000, file: file() }).thenError('NOT_DEPOSITOR');
    document([deposited({ recipients: ['marc'] }), mayEdit]).when({ type: 'ChangeDetails', ...byMarc, settings, memo: 'x' }).thenError('NOT_DEPOSITOR');
    document([deposited({ recipients: ['marc'] }), mayEdit]).when({ type: 'UpdateContent', ...byMarc, actorId: 'sophie', maxDocumentBytes: 1000, file: file() }).thenError('DOCUMENT_NOT_FOUND');
    document([deposited({ recipients: ['marc'], year: '2025-2026' }), mayEdit]).when({ type: 'UpdateContent', ...byMarc, maxDocumentBytes: 1000, file: file() }).thenError('YEAR_CLOSED');
    expect(
      documentDecider.decide(documentDecider.initialState, deposit({ recipientsMayEdit: true }))._unsafeUnwrap()[0]!.data,
    ).toMatchObject({ recipientsMayEdit: true });
  });

  it('a deleted document accepts no command and nobody reads it', () => {
    const deleted = document([deposited({ recipients: ['marc'] }), deletedForAll]);
    expect(canRead(deleted.state, 'anne')).toBe(false);
    expect(canRead(deleted.state, 'marc')).toBe(false);
    deleted.when({ type: 'DeleteForAll', ...byAnne }).thenError('DOCUMENT_DELETED');
    deleted.when({ type: 'ChangeDetails', ...byAnne, settings, memo: 'x' }).thenError('DOCUMENT_DELETED');
    deleted.when({ type: 'Consult', actorId: 'marc', at: AT, documentId: 'doc-1' }).thenError('DOCUMENT_NOT_FOUND');
  });

  it('deleting for all records who did it', () => {
    document([deposited()]).when({ type: 'DeleteForAll', ...byAnne }).then([deletedForAll]);
  });
});

describe('the state a history folds to', () => {
  it('holds what the events say, and nothing else', () => {
    const state = document([
      deposited({ recipients: ['marc'] }),
      { type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: ['sophie'], named: [], classes: [{ classId: '4b', teacherIds: ['marc', 'sophie'] }], groups: [] }, actor: 'anne', at: '2026-11-29T10:00:00.000Z' },
      updated(2),
      consulted('marc'),
    ]).state;
    expect(state).toEqual({
      status: 'live',
      id: 'doc-1',
      year: YEAR,
      depositorId: 'anne',
      title: 'Minutes',
      categoryId: 'minutes',
      memo: null,
      recipients: new Set(['marc', 'sophie']),
      named: new Set(['marc']),
      classes: [{ classId: '4b', teacherIds: ['marc', 'sophie'] }],
      groups: new Set(),
      versions: [{ ...file(), version: 1 }, { ...file(), version: 2 }],
      consulted: new Set(['marc#1']),
      depositedAt: AT,
      updatedAt: AT,
      idempotency: undefined,
      recipientsMayEdit: false,
      acknowledgement: { required: false, dueAt: null, askedFrom: 2 },
      acknowledged: new Map(),
      reminded: new Map(),
      dueReminded: false,
      fromSource: undefined,
      scanHolds: new Map(),
    });
    expect(canManage(state, 'anne')).toBe(true);
    expect(canManage(document([deposited(), deletedForAll]).state, 'anne')).toBe(false);
  });

  it('a class stands for whoever of its team holds a locker now', () => {
    const view = viewOf({
      ...schoolDirectory,
      classes: [{ id: 'mixed', name: 'Mixed', teacherIds: ['marc', 'leo', 'gone'] }],
    });
    document([])
      .when(deposit({ recipients: { users: [], classes: ['mixed'] }, context: { ...context, directory: view } }))
      .then([
        {
          ...deposited({ recipients: ['marc'] }),
          data: { ...(deposited({ recipients: ['marc'] }).data as object), title: 'minutes.pdf', named: [], classes: [{ classId: 'mixed', teacherIds: ['marc'] }] },
        } as unknown as DocumentEvent,
      ]);
  });
});

describe('the pre-send check', () => {
  it('says who a choice reaches and through what, and everyone it cannot reach', () => {
    expect(previewRecipients(directory, { users: ['sophie', 'marc', 'leo', 'ghost', 'anne'], classes: ['3a', 'empty', 'nope'] }, 'anne')).toEqual({
      recipients: [
        { id: 'sophie', via: ['user'] },
        { id: 'marc', via: ['user', 'class:3A'] },
        { id: 'paul', via: ['class:3A'] },
      ],
      refused: [
        { kind: 'user', id: 'leo', reason: 'student' },
        { kind: 'user', id: 'ghost', reason: 'unknown' },
        { kind: 'class', id: 'empty', reason: 'no-teaching-team' },
        { kind: 'class', id: 'nope', reason: 'unknown' },
      ],
      classes: [
        { classId: '3a', teacherIds: ['anne', 'paul', 'marc'] },
        { classId: 'empty', teacherIds: [] },
      ],
      named: ['sophie', 'marc'],
      groups: [],
    });
  });
});

describe('the pre-send check, with groups', () => {
  it('a group reaches its members but the depositor, each through it', () => {
    // Anne deposits to every teacher, herself one of them.
    expect(previewRecipients(directory, { users: [], classes: [], groups: ['teachers'] }, 'anne')).toMatchObject({
      recipients: [
        { id: 'paul', via: ['group:teachers'] },
        { id: 'marc', via: ['group:teachers'] },
      ],
      refused: [],
      groups: ['teachers'],
    });
  });
});

describe('consulting', () => {
  const consult = (actorId: string, version?: number): DocumentCommand => ({ type: 'Consult', actorId, at: AT, documentId: 'doc-1', version });

  it('records a recipient’s first opening of a version, once', () => {
    document([deposited({ recipients: ['marc'] })]).when(consult('marc')).then([consulted('marc')]);
    document([deposited({ recipients: ['marc'] }), consulted('marc')]).when(consult('marc')).then([]);
    document([deposited({ recipients: ['marc'] }), consulted('marc'), updated(2)]).when(consult('marc')).then([consulted('marc', 2)]);
    document([deposited({ recipients: ['marc'] }), updated(2)]).when(consult('marc', 1)).then([consulted('marc', 1)]);
  });

  it('the depositor reads without a consultation; strangers do not read; unknown versions are refused', () => {
    document([deposited()]).when(consult('anne')).then([]);
    document([deposited()]).when(consult('paul')).thenError('DOCUMENT_NOT_FOUND');
    document([deposited()]).when(consult('marc', 7)).thenError('VERSION_NOT_FOUND', { documentId: 'doc-1', version: 7 });
  });
});

describe('carrying over into the next school year', () => {
  const carry = (over: Partial<Extract<DocumentCommand, { type: 'CarryOver' }>> = {}): DocumentCommand => ({
    type: 'CarryOver',
    actorId: 'admin',
    at: AT,
    newDocumentId: 'doc-2',
    toYear: '2027-2028',
    source: document([deposited({ recipients: ['marc', 'sophie'] }), updated(2)]).state,
    directory,
    ...over,
  });

  it('starts a new document with the latest content as version 1 and the recipients still there', () => {
    const source = document([deposited({ recipients: ['marc', 'sophie', 'gone'] }), updated(2)]).state;
    document([])
      .when(carry({ source, removedBy: new Set(['sophie']) }))
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
            recipientIds: ['marc'],
            droppedRecipientIds: ['sophie', 'gone'],
            named: ['marc'],
            classes: [],
            groups: [],
            content: { ...file(), version: 1 },
          },
          actor: 'admin',
          at: AT,
        },
      ]);
  });

  it('skips with the reason: deleted, category excluded, depositor left, nobody left', () => {
    document([]).when(carry({ source: document([deposited(), deletedForAll]).state })).thenError('NOT_CARRIED', { reason: 'deleted' });
    document([]).when(carry({ categories: new Set(['other']) })).thenError('NOT_CARRIED', { reason: 'category-excluded' });
    document([]).when(carry({ source: document([deposited({ depositor: 'gone' })]).state })).thenError('NOT_CARRIED', { reason: 'depositor-left' });
    document([]).when(carry({ source: document([deposited({ recipients: ['leo'] })]).state })).thenError('NOT_CARRIED', { reason: 'no-recipient-left' });
  });

  it('carries nothing twice: a carried document already up to date records nothing', () => {
    const first = documentDecider.decide(documentDecider.initialState, carry())._unsafeUnwrap();
    document(first).when(carry()).then([]);
  });

  it('a rerun brings a carried document up to date with year N’s final state', () => {
    const carriedEarlier = documentDecider.decide(documentDecider.initialState, carry({ source: document([deposited({ recipients: ['marc'] })]).state }))._unsafeUnwrap();
    const since: DocumentEvent[] = [
      deposited({ recipients: ['marc'] }),
      { type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: ['sophie', 'leo'], named: ['sophie', 'leo'], classes: [], groups: [] }, actor: 'anne', at: AT },
      { type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file({ sha256: 'b'.repeat(64) }), version: 2 } }, actor: 'anne', at: AT },
      { type: 'MemoChanged', data: { documentId: 'doc-1', memo: 'Corrected' }, actor: 'anne', at: AT },
    ];
    const refreshed: DocumentEvent = {
      type: 'CarriedDocumentRefreshed',
      // Léo is a student: never a recipient, carried or not.
      data: { documentId: 'doc-2', sourceDocumentId: 'doc-1', content: { ...file({ sha256: 'b'.repeat(64) }), version: 2 }, memo: 'Corrected', recipientIds: ['sophie'] },
      actor: 'admin',
      at: AT,
    };
    document(carriedEarlier).when(carry({ source: document(since).state })).then([refreshed]);
    // Once refreshed, a rerun records nothing more.
    document([...carriedEarlier, refreshed]).when(carry({ source: document(since).state })).then([]);
  });

  it('refreshes only what changed in the source: content alone, category alone, recipients alone', () => {
    const carriedEarlier = documentDecider.decide(documentDecider.initialState, carry({ source: document([deposited({ recipients: ['marc'] })]).state }))._unsafeUnwrap();
    const refresh = (data: Record<string, unknown>): DocumentEvent => ({ type: 'CarriedDocumentRefreshed', data: { documentId: 'doc-2', sourceDocumentId: 'doc-1', recipientIds: [], ...data }, actor: 'admin', at: AT }) as DocumentEvent;
    const source = (...since: DocumentEvent[]) => document([deposited({ recipients: ['marc'] }), ...since]).state;
    const newFile = file({ fileName: 'v2.pdf' });
    document(carriedEarlier)
      .when(carry({ source: source({ type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...newFile, version: 2 } }, actor: 'anne', at: AT }) }))
      .then([refresh({ content: { ...newFile, version: 2 } })]);
    document(carriedEarlier)
      .when(carry({ source: source({ type: 'CategoryChanged', data: { documentId: 'doc-1', categoryId: 'exams' }, actor: 'anne', at: AT }) }))
      .then([refresh({ categoryId: 'exams' })]);
    document(carriedEarlier)
      .when(carry({ source: source({ type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: ['sophie'], named: ['sophie'], classes: [], groups: [] }, actor: 'anne', at: AT }) }))
      .then([refresh({ recipientIds: ['sophie'] })]);
    // Someone the carried document already has (added in its own year) is not added again.
    const addedInNewYear: DocumentEvent = { type: 'RecipientAdded', data: { documentId: 'doc-2', recipientIds: ['sophie'], named: ['sophie'], classes: [], groups: [] }, actor: 'anne', at: AT };
    document([...carriedEarlier, addedInNewYear])
      .when(carry({ source: source({ type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: ['sophie'], named: ['sophie'], classes: [], groups: [] }, actor: 'anne', at: AT }) }))
      .then([]);
  });

  it('a change made to the carried document in its own year is never undone by a rerun', () => {
    const carriedEarlier = documentDecider.decide(documentDecider.initialState, carry())._unsafeUnwrap();
    const editedInNewYear: DocumentEvent = { type: 'MemoChanged', data: { documentId: 'doc-2', memo: 'New year' }, actor: 'anne', at: AT };
    document([...carriedEarlier, editedInNewYear]).when(carry()).then([]);
  });

  it('a document deleted in year N after it was carried is deleted in year N+1 too, once', () => {
    const carriedEarlier = documentDecider.decide(documentDecider.initialState, carry())._unsafeUnwrap();
    const deletedSource = document([deposited(), deletedForAll]).state;
    const gone: DocumentEvent = { type: 'DocumentDeletedForAll', data: { documentId: 'doc-2' }, actor: 'admin', at: AT };
    expect(document(carriedEarlier).when(carry({ source: deletedSource })).then([gone]).status).toBe('deleted');
    document([...carriedEarlier, gone]).when(carry({ source: deletedSource })).then([]);
  });
});
