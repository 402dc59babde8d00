import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { collectionDecider, submissionStatus, viewOf, type CollectionCommand, type CollectionEvent } from '../../src/domain/index.js';
import { schoolDirectory } from '../support/fixtures.js';
import { AT, directory, given, settings, YEAR } from './given.js';

const collection = (history: CollectionEvent[]) => given(collectionDecider, history);
const DUE = '2026-12-10T17:00:00.000Z';
const create = (over: Partial<Extract<CollectionCommand, { type: 'CreateCollection' }>> = {}): CollectionCommand => ({
  type: 'CreateCollection', actorId: 'anne', at: AT, collectionId: 'c-1', year: YEAR, directory, settings, mayRequest: true,
  title: ' Class council reports ', instructions: null, categoryId: 'minutes', recipients: { users: ['marc'], classes: ['4b'] }, dueAt: DUE, draft: false, ...over,
});
const created: CollectionEvent = {
  type: 'CollectionCreated',
  data: { collectionId: 'c-1', year: YEAR, requesterId: 'anne', title: 'Class council reports', instructions: null, categoryId: 'minutes', askedIds: ['marc', 'sophie'], dueAt: DUE },
  actor: 'anne',
  at: AT,
};
const published: CollectionEvent = { type: 'CollectionPublished', data: { collectionId: 'c-1' }, actor: 'anne', at: AT };
const closed: CollectionEvent = { type: 'CollectionClosed', data: { collectionId: 'c-1' }, actor: 'anne', at: AT };
const by = (actorId: string) => ({ actorId, at: AT, collectionId: 'c-1' });
const check = (actorId: string): CollectionCommand => ({ type: 'CheckSubmission', ...by(actorId), directory });

describe('documents to collect', () => {
  it('created and published at once, or as a draft; the asked are resolved like recipients', () => {
    collection([]).when(create()).then([created, published]);
    collection([]).when(create({ draft: true })).then([created]);
    collection([created]).when({ type: 'PublishCollection', ...by('anne') }).then([published]);
  });

  it('refused: no locker.deposit, a due date past, a retired category, nobody to ask', () => {
    collection([]).when(create({ mayRequest: false })).thenError('NOT_ALLOWED_TO_DEPOSIT');
    collection([]).when(create({ dueAt: '2026-01-01T00:00:00.000Z' })).thenError('INVALID_DUE_DATE');
    collection([]).when(create({ categoryId: 'old' })).thenError('CATEGORY_RETIRED');
    collection([]).when(create({ recipients: { users: ['leo'], classes: [] } })).thenError('RECIPIENTS_REFUSED');
    collection([]).when(create({ recipients: { users: ['anne'], classes: [] } })).thenError('NO_RECIPIENTS');
  });

  it('an asked person may submit while it is open; not before it is published, not after close; others learn nothing', () => {
    collection([created, published]).when(check('marc')).then([]);
    collection([created]).when(check('marc')).thenError('COLLECTION_NOT_FOUND');
    collection([created, published, closed]).when(check('marc')).thenError('COLLECTION_CLOSED');
    collection([created, published]).when(check('paul')).thenError('COLLECTION_NOT_FOUND');
    collection([]).when(check('marc')).thenError('COLLECTION_NOT_FOUND');
  });

  it('only the requester publishes, closes and reminds', () => {
    collection([created, published]).when({ type: 'CloseCollection', ...by('marc') }).thenError('NOT_REQUESTER');
    collection([created, published]).when({ type: 'CloseCollection', ...by('paul') }).thenError('COLLECTION_NOT_FOUND');
    collection([created, published]).when({ type: 'CloseCollection', ...by('anne') }).then([closed]);
    collection([created, published, closed]).when({ type: 'PublishCollection', ...by('anne') }).thenError('COLLECTION_CLOSED');
  });

  it('reminders go to those who have not submitted, once a day', () => {
    const remind = (at: string, submitted: string[] = []): CollectionCommand => ({ type: 'RemindCollection', actorId: 'anne', at, collectionId: 'c-1', submitted: new Set(submitted) });
    const state = collection([created, published]).when(remind(AT, ['sophie'])).then([{ type: 'CollectionReminderSent', data: { collectionId: 'c-1', userIds: ['marc'] }, actor: 'anne', at: AT }]);
    expect(collectionDecider.decide(state, remind('2026-11-28T11:00:00.000Z'))._unsafeUnwrap()).toEqual([
      { type: 'CollectionReminderSent', data: { collectionId: 'c-1', userIds: ['sophie'] }, actor: 'anne', at: '2026-11-28T11:00:00.000Z' },
    ]);
    expect(collectionDecider.decide(state, remind('2026-11-28T11:00:00.000Z', ['sophie']))._unsafeUnwrapErr()).toEqual({ code: 'REMINDER_TOO_SOON', retryAfterSeconds: 23 * 3600 });
  });

  it('a person’s status: submitted by the due date, late after it, missing before they do', () => {
    expect(submissionStatus(DUE, null)).toBe('missing');
    expect(submissionStatus(DUE, DUE)).toBe('submitted');
    expect(submissionStatus(DUE, '2026-12-10T17:00:01.000Z')).toBe('late');
  });
});

describe('the collection deadline, whatever the path (issue 30)', () => {
  const accept = (actorId: string, documentIds: string[]): CollectionCommand => ({ type: 'AcceptSubmission', ...by(actorId), directory, documentIds });
  it('a submission is accepted on the request as it is at that moment: a close that came during the upload refuses it; a retry of an accepted one is accepted again', () => {
    const accepted: CollectionEvent = { type: 'SubmissionAccepted', data: { collectionId: 'c-1', userId: 'marc', documentIds: ['d-1'] }, actor: 'marc', at: AT };
    collection([created, published]).when(accept('marc', ['d-1'])).then([accepted]);
    collection([created, published, closed]).when(accept('marc', ['d-1'])).thenError('COLLECTION_CLOSED');
    // Accepted before the close: the same documents again (an Idempotency-Key retry) are not refused, and not recorded twice.
    collection([created, published, accepted, closed]).when(accept('marc', ['d-1'])).then([]);
    collection([created, published, accepted, closed]).when(accept('marc', ['d-2'])).thenError('COLLECTION_CLOSED');
    collection([created, published]).when(accept('paul', ['d-3'])).thenError('COLLECTION_NOT_FOUND');
    // The requester sees the request but does not answer it.
    collection([created, published]).when(accept('anne', ['d-5'])).thenError('COLLECTION_NOT_FOUND');
    collection([created]).when(accept('marc', ['d-4'])).thenError('COLLECTION_NOT_FOUND');
  });

  test.prop([fc.array(fc.oneof(fc.constant('close' as const), fc.constant('publish' as const), fc.record({ submit: fc.constantFrom('marc', 'sophie', 'paul'), doc: fc.integer({ min: 1, max: 4 }) })), { maxLength: 25 })])(
    'no submission is ever accepted once the request is closed, except the same documents again; none before it is published',
    (steps) => {
      let state = [created].reduce(collectionDecider.evolve, collectionDecider.initialState);
      let status: 'draft' | 'open' | 'closed' = 'draft';
      const accepted = new Set<string>();
      for (const step of steps) {
        const cmd: CollectionCommand =
          step === 'close' ? { type: 'CloseCollection', ...by('anne') } : step === 'publish' ? { type: 'PublishCollection', ...by('anne') } : accept(step.submit, [`d-${step.doc}`]);
        const decided = collectionDecider.decide(state, cmd);
        if (typeof step === 'object') {
          const again = accepted.has(`d-${step.doc}`);
          const may = step.submit !== 'paul' && status !== 'draft' && (status === 'open' || again);
          expect(decided.isOk(), JSON.stringify([status, step])).toBe(may);
          if (decided.isOk()) {
            expect(decided.value.length).toBe(again ? 0 : 1);
            accepted.add(`d-${step.doc}`);
          }
        }
        if (decided.isOk()) {
          if (step === 'close') status = 'closed';
          if (step === 'publish' && status === 'draft') status = 'open';
          state = decided.value.reduce(collectionDecider.evolve, state);
        }
      }
    },
  );
});

describe('every rule of a request, at its edge (mutation run of 2026-12-06)', () => {
  const accept = (actorId: string, documentIds: string[], dir = directory): CollectionCommand => ({ type: 'AcceptSubmission', ...by(actorId), directory: dir, documentIds });
  const remind = (at: string, submitted: string[] = []): CollectionCommand => ({ type: 'RemindCollection', actorId: 'anne', at, collectionId: 'c-1', submitted: new Set(submitted) });

  it('creating a request that exists changes nothing; a title empty or over 200 characters, instructions over 2,000, are refused', () => {
    collection([created]).when(create()).then([]);
    collection([]).when(create({ title: '   ' })).thenError('TEXT_TOO_LONG', { field: 'title', max: 200 });
    collection([]).when(create({ title: 'x'.repeat(201) })).thenError('TEXT_TOO_LONG', { field: 'title', max: 200 });
    expect(collectionDecider.decide(collectionDecider.initialState, create({ title: 'x'.repeat(200) })).isOk()).toBe(true);
    collection([]).when(create({ instructions: 'y'.repeat(2001) })).thenError('TEXT_TOO_LONG', { field: 'memo', max: 2000 });
    expect(collectionDecider.decide(collectionDecider.initialState, create({ instructions: 'y'.repeat(2000) })).isOk()).toBe(true);
    collection([]).when(create({ categoryId: 'nowhere' })).thenError('CATEGORY_NOT_FOUND');
    // Due exactly now is not in the future.
    collection([]).when(create({ dueAt: AT })).thenError('INVALID_DUE_DATE');
  });

  it('publishing what is open, or closing what is closed, changes nothing; reminding a closed or draft request is refused', () => {
    collection([created, published]).when({ type: 'PublishCollection', ...by('anne') }).then([]);
    collection([created, published, closed]).when({ type: 'CloseCollection', ...by('anne') }).then([]);
    collection([created, published, closed]).when(remind(AT)).thenError('COLLECTION_CLOSED');
    collection([created]).when(remind(AT)).thenError('COLLECTION_CLOSED');
    // Everyone submitted: nobody to remind, and no refusal.
    collection([created, published]).when(remind(AT, ['marc', 'sophie'])).then([]);
  });

  it('a reminder a day to the second: reminded at AT, again exactly a day later; too soon says the nearest wait', () => {
    const sent = (userIds: string[], at: string): CollectionEvent => ({ type: 'CollectionReminderSent', data: { collectionId: 'c-1', userIds }, actor: 'anne', at });
    const dayLater = '2026-11-29T10:00:00.000Z';
    collection([created, published, sent(['marc', 'sophie'], AT)]).when(remind(dayLater)).then([sent(['marc', 'sophie'], dayLater)]);
    // marc reminded at AT, sophie an hour later: the wait named is marc's, the nearer one.
    collection([created, published, sent(['marc'], AT), sent(['sophie'], '2026-11-28T11:00:00.000Z')])
      .when(remind('2026-11-28T12:00:00.000Z'))
      .thenError('REMINDER_TOO_SOON', { retryAfterSeconds: 22 * 3600 });
  });

  it('a submission of several documents is the same one again only if every document was accepted', () => {
    const accepted: CollectionEvent = { type: 'SubmissionAccepted', data: { collectionId: 'c-1', userId: 'marc', documentIds: ['d-1'] }, actor: 'marc', at: AT };
    collection([created, published, accepted]).when(accept('marc', ['d-1', 'd-2'])).then([{ type: 'SubmissionAccepted', data: { collectionId: 'c-1', userId: 'marc', documentIds: ['d-1', 'd-2'] }, actor: 'marc', at: AT }]);
    collection([created, published, accepted, closed]).when(accept('marc', ['d-1', 'd-2'])).thenError('COLLECTION_CLOSED');
    // No documents at all is not "all of them already".
    collection([created, published, accepted, closed]).when(accept('marc', [])).thenError('COLLECTION_CLOSED');
  });

  it('the requester does not submit to their own request; someone not asked finds none; a requester who left closes it', () => {
    collection([created, published]).when(accept('anne', ['d-9'])).thenError('COLLECTION_NOT_FOUND');
    collection([created, published]).when(accept('paul', ['d-9'])).thenError('COLLECTION_NOT_FOUND');
    const withoutAnne = viewOf({ ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'anne'), classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'anne') })) });
    collection([created, published]).when(accept('marc', ['d-9'], withoutAnne)).thenError('COLLECTION_CLOSED');
  });
});
