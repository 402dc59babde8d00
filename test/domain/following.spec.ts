import { describe, expect, it } from 'vitest';
import { directoryMoves, documentDecider, viewOf, type Directory, type DocumentCommand, type DocumentEvent } from '../../src/domain/index.js';
import { schoolDirectory } from '../support/fixtures.js';
import { AT, context, deposited, file, given, YEAR } from './given.js';

const document = (history: DocumentEvent[]) => given(documentDecider, history);

/** The fixture school with one change made to it. */
const changed = (edit: (d: Directory) => Directory): Directory => edit(structuredClone(schoolDirectory) as Directory);

/** What the directory sync sends each document addressed to a class or group that changed. */
const follow = (after: Directory, over: Partial<Extract<DocumentCommand, { type: 'FollowDirectory' }>> = {}): DocumentCommand => ({
  type: 'FollowDirectory',
  actorId: 'admin',
  at: AT,
  directory: viewOf(after),
  moves: directoryMoves(schoolDirectory, after),
  currentYear: YEAR,
  ...over,
});

const joined = (userId: string, via: string): DocumentEvent => ({ type: 'RecipientJoined', data: { documentId: 'doc-1', userId, via: via as never }, actor: 'admin', at: AT });
const left = (userId: string, from: string): DocumentEvent => ({ type: 'RecipientLeft', data: { documentId: 'doc-1', userId, from: from as never }, actor: 'admin', at: AT });

/** Anne's deposit to class 4B (marc, sophie), nobody named. */
const to4b = deposited({ recipients: ['marc', 'sophie'], named: [], classes: [{ classId: '4b', teacherIds: ['marc', 'sophie'] }] });
/** Anne's deposit to every teacher (paul, marc). */
const toTeachers = deposited({ recipients: ['paul', 'marc'], named: [], groups: ['teachers'] });

const with4b = (teacherIds: string[]) => changed((d) => ({ ...d, classes: d.classes.map((c) => (c.id === '4b' ? { ...c, teacherIds } : c)) }));

describe('who joined and who left, between two directories', () => {
  it('lists only the class teams and groups that changed', () => {
    const moves = directoryMoves(schoolDirectory, with4b(['marc', 'sophie', 'paul']));
    expect([...moves]).toEqual([['class:4b', { joined: ['paul'], left: [] }]]);
  });

  it('a change of kind moves someone between groups; leaving the directory leaves every one', () => {
    const staffNow = changed((d) => ({ ...d, users: d.users.map((u) => (u.id === 'sophie' ? { ...u, kind: 'staff' } : u)) }));
    expect(Object.fromEntries(directoryMoves(schoolDirectory, staffNow))).toEqual({
      'group:staff': { joined: ['sophie'], left: [] },
      'group:counselors': { joined: [], left: ['sophie'] },
    });
    const gone = changed((d) => ({ ...d, users: d.users.filter((u) => u.id !== 'paul'), classes: d.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'paul') })) }));
    expect(Object.fromEntries(directoryMoves(schoolDirectory, gone))).toEqual({
      'class:3a': { joined: [], left: ['paul'] },
      'group:teachers': { joined: [], left: ['paul'] },
      'group:all-staff': { joined: [], left: ['paul'] },
    });
  });

  it('names who joined and left in order of id, whatever order the directory lists them in', () => {
    const moves = directoryMoves(schoolDirectory, with4b(['paul', 'anne']));
    expect(moves.get('class:4b')).toEqual({ joined: ['anne', 'paul'], left: ['marc', 'sophie'] });
  });

  it('the same directory again moves nobody', () => {
    expect(directoryMoves(schoolDirectory, schoolDirectory).size).toBe(0);
  });
});

describe('a document addressed to a class follows its teaching team', () => {
  it('a teacher who leaves the class keeps it while a group it is addressed to still reaches them; a counselor leaving loses it', () => {
    // To class 4B (marc, sophie) and to every teacher: marc leaves 4B but is still a teacher.
    const both = deposited({ recipients: ['marc', 'sophie', 'paul'], named: [], classes: [{ classId: '4b', teacherIds: ['marc', 'sophie'] }], groups: ['teachers'] });
    document([both]).when(follow(with4b(['sophie']))).then([]);
    document([both]).when(follow(with4b(['marc']))).then([left('sophie', 'class:4b')]);
  });

  it('a teacher who joins the team receives it', () => {
    document([to4b]).when(follow(with4b(['marc', 'sophie', 'paul']))).then([joined('paul', 'class:4b')]);
  });

  it('a teacher who leaves the team loses it, with the class as the reason', () => {
    const state = document([to4b]).when(follow(with4b(['marc']))).then([left('sophie', 'class:4b')]);
    expect(state.status === 'live' && [...state.recipients]).toEqual(['marc']);
  });

  it('someone named as well keeps it when they leave the class', () => {
    const namedToo = deposited({ recipients: ['marc', 'sophie'], named: ['sophie'], classes: [{ classId: '4b', teacherIds: ['marc', 'sophie'] }] });
    document([namedToo]).when(follow(with4b(['marc']))).then([]);
  });

  it('someone still reached through another class or group keeps it', () => {
    const twoClasses = deposited({ recipients: ['marc', 'sophie', 'anne', 'paul'], named: [], classes: [{ classId: '4b', teacherIds: ['marc', 'sophie'] }, { classId: '3a', teacherIds: ['paul', 'marc'] }] });
    document([twoClasses]).when(follow(with4b(['sophie']))).then([]);
  });

  it('the depositor never becomes their own recipient', () => {
    document([to4b]).when(follow(with4b(['marc', 'sophie', 'anne']))).then([]);
  });

  it('a deleted document, or one of a closed year, follows nobody', () => {
    const deletedForAll: DocumentEvent = { type: 'DocumentDeletedForAll', data: { documentId: 'doc-1' }, actor: 'anne', at: AT };
    document([to4b, deletedForAll]).when(follow(with4b(['marc', 'sophie', 'paul']))).then([]);
    document([to4b]).when(follow(with4b(['marc', 'sophie', 'paul']), { currentYear: '2027-2028' })).then([]);
  });

  it('a change to another class touches nothing', () => {
    const other = changed((d) => ({ ...d, classes: d.classes.map((c) => (c.id === '3a' ? { ...c, teacherIds: ['anne'] } : c)) }));
    document([to4b]).when(follow(other)).then([]);
  });

  it('leaving and joining again gives it back', () => {
    const history = [to4b, left('sophie', 'class:4b')];
    document(history).when(follow(schoolDirectory, { moves: directoryMoves(with4b(['marc']), schoolDirectory) })).then([joined('sophie', 'class:4b')]);
  });
});

describe('a document addressed to a group follows who is of that kind', () => {
  it('a new teacher receives it (PRONOTE: "tout nouveau personnel créé")', () => {
    const hired = changed((d) => ({ ...d, users: [...d.users, { id: 'nina', displayName: 'Nina Roux', kind: 'teacher', profiles: [] }] }));
    document([toTeachers]).when(follow(hired)).then([joined('nina', 'group:teachers')]);
  });

  it('a teacher who becomes staff leaves "teachers" but stays in "all-staff"', () => {
    const moved = changed((d) => ({ ...d, users: d.users.map((u) => (u.id === 'paul' ? { ...u, kind: 'staff' } : u)) }));
    document([toTeachers]).when(follow(moved)).then([left('paul', 'group:teachers')]);
    const toAll = deposited({ recipients: ['admin', 'auditor', 'paul', 'marc', 'sophie'], named: [], groups: ['all-staff'] });
    document([toAll]).when(follow(moved)).then([]);
  });

  it('a teacher who becomes a student leaves every group, named or not', () => {
    const student = changed((d) => ({
      ...d,
      users: d.users.map((u) => (u.id === 'marc' ? { ...u, kind: 'student' } : u)),
      classes: d.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'marc') })),
    }));
    document([toTeachers]).when(follow(student)).then([left('marc', 'group:teachers')]);
  });

  it('a deposit to a group reaches its members now, says so, and refuses a group with nobody in it', () => {
    const deposit = (groups: ('teachers' | 'counselors')[], directory = context.directory): DocumentCommand => ({
      type: 'Deposit', actorId: 'anne', at: AT, documentId: 'doc-1', recipients: { users: [], classes: [], groups }, categoryId: 'minutes',
      title: 'Minutes', memo: null, context: { ...context, directory }, file: file(),
    });
    document([]).when(deposit(['teachers'])).then([toTeachers]);
    const noCounselor = viewOf(changed((d) => ({ ...d, users: d.users.filter((u) => u.kind !== 'counselor'), classes: d.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'sophie') })) })));
    document([]).when(deposit(['counselors'], noCounselor)).thenError('RECIPIENTS_REFUSED', { refused: [{ kind: 'group', id: 'counselors', reason: 'no-members' }] });
  });
});

describe('adding recipients', () => {
  it('naming someone who had it through a class makes them keep it', () => {
    const add: DocumentCommand = { type: 'AddRecipients', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, directory: context.directory, recipients: { users: ['sophie'], classes: [] } };
    const state = document([to4b])
      .when(add)
      .then([{ type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: [], named: ['sophie'], classes: [], groups: [] }, actor: 'anne', at: AT }]);
    expect(documentDecider.decide(state, follow(with4b(['marc'])))._unsafeUnwrap()).toEqual([]);
  });

  it('a group added later is followed from then on', () => {
    const add: DocumentCommand = { type: 'AddRecipients', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, directory: context.directory, recipients: { users: [], classes: [], groups: ['counselors'] } };
    document([deposited({ recipients: ['marc'] })])
      .when(add)
      .then([{ type: 'RecipientAdded', data: { documentId: 'doc-1', recipientIds: ['sophie'], named: [], classes: [], groups: ['counselors'] }, actor: 'anne', at: AT }]);
  });
});
