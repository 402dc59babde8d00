import { describe, expect, it } from 'vitest';
import {
  addRecipients,
  canRead,
  changeCategory,
  changeMemo,
  consult,
  deleteForAll,
  deposit,
  initialDocument,
  updateContent,
  viewOf,
  type DocumentEvent,
} from '../../src/domain/index.js';
import { AT, ctx, deposited, directory, file, given, settings } from './given.js';

const request = (over: Record<string, unknown> = {}) => ({
  actorId: 'anne',
  at: AT,
  documentId: 'doc-1',
  recipients: { users: ['marc'], classes: [] },
  categoryId: 'minutes',
  title: null,
  memo: null,
  file: file(),
  ...over,
});

describe('depositing', () => {
  it('records one event with the resolved recipients, version 1 and the file name as title', () => {
    given([])
      .when(() => deposit(initialDocument, ctx, request({ recipients: { users: ['sophie'], classes: ['3a'] } })))
      .then(([event]) => {
        expect(event!.type).toBe('DocumentDeposited');
        const data = (event as Extract<DocumentEvent, { type: 'DocumentDeposited' }>).data;
        expect(new Set(data.recipientIds)).toEqual(new Set(['sophie', 'paul', 'marc']));
        expect(data.classes).toEqual([{ classId: '3a', teacherIds: ['anne', 'paul', 'marc'] }]);
        expect(data.content.version).toBe(1);
        expect(data.title).toBe('minutes.pdf');
        expect(event!.actor).toBe('anne');
        expect(event!.at).toBe(AT);
      });
  });

  it('refuses a depositor without locker.deposit', () => {
    given([]).when(() => deposit(initialDocument, ctx, request({ actorId: 'marc' }))).thenFails('NOT_ALLOWED_TO_DEPOSIT');
  });

  it('refuses a student even with locker.deposit: students have no locker', () => {
    given([]).when(() => deposit(initialDocument, ctx, request({ actorId: 'leo' }))).thenFails('NOT_ALLOWED_TO_DEPOSIT');
  });

  it('names every refused recipient: students, unknown users, unknown classes', () => {
    const error = given([])
      .when(() => deposit(initialDocument, ctx, request({ recipients: { users: ['leo', 'ghost', 'marc'], classes: ['nope'] } })))
      .thenFails('RECIPIENTS_REFUSED');
    expect(error).toEqual({
      code: 'RECIPIENTS_REFUSED',
      refused: [
        { kind: 'user', id: 'leo', reason: 'student' },
        { kind: 'user', id: 'ghost', reason: 'unknown' },
        { kind: 'class', id: 'nope', reason: 'unknown' },
      ],
    });
  });

  it('refuses a class without a teaching team', () => {
    given([]).when(() => deposit(initialDocument, ctx, request({ recipients: { users: [], classes: ['empty'] } }))).thenFails('RECIPIENTS_REFUSED');
  });

  it('refuses a deposit whose only recipient is the depositor', () => {
    given([]).when(() => deposit(initialDocument, ctx, request({ recipients: { users: ['anne'], classes: [] } }))).thenFails('NO_RECIPIENTS');
  });

  it('refuses unknown and retired categories', () => {
    given([]).when(() => deposit(initialDocument, ctx, request({ categoryId: 'nope' }))).thenFails('CATEGORY_NOT_FOUND');
    given([]).when(() => deposit(initialDocument, ctx, request({ categoryId: 'old' }))).thenFails('CATEGORY_RETIRED');
  });

  it('refuses an empty file and one over the limit, accepts one at the limit', () => {
    given([]).when(() => deposit(initialDocument, ctx, request({ file: file({ sizeBytes: 0 }) }))).thenFails('EMPTY_FILE');
    given([]).when(() => deposit(initialDocument, ctx, request({ file: file({ sizeBytes: 1001 }) }))).thenFails('FILE_TOO_LARGE');
    given([]).when(() => deposit(initialDocument, ctx, request({ file: file({ sizeBytes: 1000 }) }))).then((events) => expect(events).toHaveLength(1));
  });

  it('refuses to deposit twice on the same document', () => {
    given([deposited()]).when((s) => deposit(s, ctx, request())).thenFails('ALREADY_DEPOSITED');
  });
});

describe('managing a deposited document', () => {
  const byPaul = { actorId: 'paul', at: AT, documentId: 'doc-1' };
  const byAnne = { actorId: 'anne', at: AT, documentId: 'doc-1' };

  it('only the depositor manages it', () => {
    const history = [deposited({ recipients: ['paul'] })];
    given(history).when((s) => addRecipients(s, viewOf(directory), { ...byPaul, recipients: { users: ['marc'], classes: [] } })).thenFails('NOT_DEPOSITOR');
    given(history).when((s) => changeMemo(s, { ...byPaul, memo: 'x' })).thenFails('NOT_DEPOSITOR');
    given(history).when((s) => changeCategory(s, settings, { ...byPaul, categoryId: 'minutes' })).thenFails('NOT_DEPOSITOR');
    given(history).when((s) => updateContent(s, 1000, { ...byPaul, file: file() })).thenFails('NOT_DEPOSITOR');
    given(history).when((s) => deleteForAll(s, byPaul)).thenFails('NOT_DEPOSITOR');
  });

  it('adding an existing recipient is a no-op, adding a new one records only them', () => {
    given([deposited({ recipients: ['marc'] })])
      .when((s) => addRecipients(s, viewOf(directory), { ...byAnne, recipients: { users: ['marc'], classes: [] } }))
      .then((events) => expect(events).toEqual([]));
    given([deposited({ recipients: ['marc'] })])
      .when((s) => addRecipients(s, viewOf(directory), { ...byAnne, recipients: { users: ['marc', 'sophie'], classes: [] } }))
      .then((events) => expect(events[0]).toMatchObject({ type: 'RecipientAdded', data: { recipientIds: ['sophie'] } }));
  });

  it('a memo change that changes nothing records nothing; an empty memo clears it', () => {
    given([deposited()]).when((s) => changeMemo(s, { ...byAnne, memo: '  ' })).then((events) => expect(events).toEqual([]));
    given([deposited()]).when((s) => changeMemo(s, { ...byAnne, memo: 'Read before Monday' })).then((events) => expect(events).toHaveLength(1));
  });

  it('a category change needs a usable category', () => {
    given([deposited()]).when((s) => changeCategory(s, settings, { ...byAnne, categoryId: 'old' })).thenFails('CATEGORY_RETIRED');
  });

  it('a new version is the next number', () => {
    const v2: DocumentEvent = { type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version: 2 } }, actor: 'anne', at: AT };
    given([deposited(), v2])
      .when((s) => updateContent(s, 1000, { ...byAnne, file: file() }))
      .then((events) => expect(events[0]).toMatchObject({ data: { content: { version: 3 } } }));
  });

  it('a deleted document accepts no command and nobody reads it', () => {
    const history: DocumentEvent[] = [deposited({ recipients: ['marc'] }), { type: 'DocumentDeletedForAll', data: { documentId: 'doc-1' }, actor: 'anne', at: AT }];
    const g = given(history);
    expect(canRead(g.state, 'anne')).toBe(false);
    expect(canRead(g.state, 'marc')).toBe(false);
    g.when((s) => deleteForAll(s, byAnne)).thenFails('DOCUMENT_DELETED');
    g.when((s) => changeMemo(s, { ...byAnne, memo: 'x' })).thenFails('DOCUMENT_DELETED');
    g.when((s) => consult(s, { actorId: 'marc', at: AT, documentId: 'doc-1' })).thenFails('DOCUMENT_NOT_FOUND');
  });
});

describe('consulting', () => {
  it('records a recipient’s first opening of a version, once', () => {
    given([deposited({ recipients: ['marc'] })])
      .when((s) => consult(s, { actorId: 'marc', at: AT, documentId: 'doc-1' }))
      .then(({ events, content }) => {
        expect(content.version).toBe(1);
        expect(events).toEqual([{ type: 'DocumentConsulted', data: { documentId: 'doc-1', userId: 'marc', version: 1 }, actor: 'marc', at: AT }]);
      });
    const opened: DocumentEvent = { type: 'DocumentConsulted', data: { documentId: 'doc-1', userId: 'marc', version: 1 }, actor: 'marc', at: AT };
    given([deposited({ recipients: ['marc'] }), opened])
      .when((s) => consult(s, { actorId: 'marc', at: AT, documentId: 'doc-1' }))
      .then(({ events }) => expect(events).toEqual([]));
  });

  it('the depositor reads without a consultation; strangers do not read; unknown versions are refused', () => {
    given([deposited()]).when((s) => consult(s, { actorId: 'anne', at: AT, documentId: 'doc-1' })).then(({ events }) => expect(events).toEqual([]));
    given([deposited()]).when((s) => consult(s, { actorId: 'paul', at: AT, documentId: 'doc-1' })).thenFails('DOCUMENT_NOT_FOUND');
    given([deposited()]).when((s) => consult(s, { actorId: 'marc', at: AT, documentId: 'doc-1', version: 7 })).thenFails('VERSION_NOT_FOUND');
  });
});
