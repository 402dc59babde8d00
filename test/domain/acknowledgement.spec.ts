import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { consultationKey, documentDecider, type DocumentCommand, type DocumentEvent, type DocumentState } from '../../src/domain/index.js';
import { AT, deposited, file, given, YEAR } from './given.js';

const document = (history: DocumentEvent[]) => given(documentDecider, history);
const asked = (dueAt: string | null = null): DocumentEvent => {
  const base = deposited({ recipients: ['marc', 'sophie'] });
  return { ...base, data: { ...(base.data as object), acknowledgement: { required: true, dueAt } } } as DocumentEvent;
};
const consulted = (userId: string, version = 1): DocumentEvent => ({ type: 'DocumentConsulted', data: { documentId: 'doc-1', userId, version }, actor: userId, at: AT });
const acknowledged = (userId: string, version = 1): DocumentEvent => ({ type: 'DocumentAcknowledged', data: { documentId: 'doc-1', userId, version }, actor: userId, at: AT });
const updated = (version: number, minor = false): DocumentEvent => ({ type: 'DocumentUpdated', data: { documentId: 'doc-1', content: { ...file(), version }, ...(minor ? { minor: true } : {}) }, actor: 'anne', at: AT });
const ack = (actorId: string): DocumentCommand => ({ type: 'Acknowledge', actorId, at: AT, documentId: 'doc-1' });
const remind = (at = AT): DocumentCommand => ({ type: 'Remind', actorId: 'anne', at, documentId: 'doc-1', currentYear: YEAR });
const reminded = (userIds: string[], reason: 'manual' | 'due' = 'manual', at = AT): DocumentEvent => ({ type: 'ReminderSent', data: { documentId: 'doc-1', userIds, reason }, actor: reason === 'due' ? 'system:scheduler' : 'anne', at });

describe('acknowledging', () => {
  it('a recipient acknowledges the latest version once they opened it, and once only', () => {
    document([asked()]).when(ack('marc')).thenError('NOT_OPENED', { documentId: 'doc-1', version: 1 });
    document([asked(), consulted('marc')]).when(ack('marc')).then([acknowledged('marc')]);
    document([asked(), consulted('marc'), acknowledged('marc')]).when(ack('marc')).then([]);
  });

  it('only a recipient, of a document that asks for it', () => {
    document([asked()]).when(ack('anne')).thenError('NOT_A_RECIPIENT');
    document([asked()]).when(ack('paul')).thenError('DOCUMENT_NOT_FOUND');
    document([deposited({ recipients: ['marc'] }), consulted('marc')]).when(ack('marc')).thenError('ACKNOWLEDGEMENT_NOT_ASKED');
  });

  it('a new version asks again; a minor one does not', () => {
    const major = document([asked(), consulted('marc'), acknowledged('marc'), updated(2)]);
    expect(major.state.status === 'live' && major.state.acknowledgement.askedFrom).toBe(2);
    major.when(ack('marc')).thenError('NOT_OPENED', { documentId: 'doc-1', version: 2 });
    const minor = document([asked(), consulted('marc'), acknowledged('marc'), updated(2, true)]);
    expect(minor.state.status === 'live' && minor.state.acknowledgement.askedFrom).toBe(1);
    // Still counted as acknowledged: reminding skips marc for the acknowledgement (he has not opened v2, though).
    minor.when(remind()).then([reminded(['marc', 'sophie'])]);
  });

  it('asking later, by PATCH, asks from the latest version; a due date in the past is refused', () => {
    const later = document([deposited({ recipients: ['marc'] }), updated(2)])
      .when({ type: 'ChangeDetails', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, settings: { categories: new Map(), maxDocumentBytes: 1000, currentYear: YEAR }, acknowledgement: { required: true, dueAt: '2026-12-05T00:00:00.000Z' } })
      .then([{ type: 'AcknowledgementSet', data: { documentId: 'doc-1', required: true, dueAt: '2026-12-05T00:00:00.000Z', ask: true }, actor: 'anne', at: AT }]);
    expect(later.status === 'live' && later.acknowledgement).toEqual({ required: true, dueAt: '2026-12-05T00:00:00.000Z', askedFrom: 2 });
    document([deposited()])
      .when({ type: 'ChangeDetails', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, settings: { categories: new Map(), maxDocumentBytes: 1000, currentYear: YEAR }, acknowledgement: { required: true, dueAt: '2020-01-01T00:00:00.000Z' } })
      .thenError('INVALID_DUE_DATE');
    // Asked with no due date at all: still asked; asked the same again: nothing.
    const change = (acknowledgement: { required: boolean; dueAt?: string }) =>
      ({ type: 'ChangeDetails', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, settings: { categories: new Map(), maxDocumentBytes: 1000, currentYear: YEAR }, acknowledgement }) as const;
    const undated: DocumentEvent = { type: 'AcknowledgementSet', data: { documentId: 'doc-1', required: true, dueAt: null, ask: true }, actor: 'anne', at: AT };
    document([deposited({ recipients: ['marc'] })]).when(change({ required: true })).then([undated]);
    document([deposited({ recipients: ['marc'] }), undated]).when(change({ required: true })).then([]);
  });
});

describe('reminders', () => {
  it('go to those who have not opened, or not acknowledged, the latest version', () => {
    document([asked(), consulted('marc'), acknowledged('marc'), consulted('sophie')]).when(remind()).then([reminded(['sophie'])]);
    document([asked(), consulted('marc'), acknowledged('marc'), consulted('sophie'), acknowledged('sophie')]).when(remind()).then([]);
  });

  it('at most one a day per person: too soon is refused with when to retry', () => {
    const day = 24 * 3600_000;
    const later = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();
    document([asked(), reminded(['marc', 'sophie'])]).when(remind(later(day - 60_000))).thenError('REMINDER_TOO_SOON', { retryAfterSeconds: 60 });
    document([asked(), reminded(['marc', 'sophie'])]).when(remind(later(day))).then([reminded(['marc', 'sophie'], 'manual', later(day))]);
    // Only those not reminded within the day are.
    document([asked(), reminded(['marc'])]).when(remind(later(1000))).then([reminded(['sophie'], 'manual', later(1000))]);
  });

  it('only the depositor reminds', () => {
    document([asked()]).when({ ...remind(), actorId: 'marc' } as DocumentCommand).thenError('NOT_DEPOSITOR');
  });

  it('once the due date passes, those who have not acknowledged are reminded once', () => {
    const due = '2026-12-05T08:00:00.000Z';
    const when = (at: string): DocumentCommand => ({ type: 'RemindDue', actorId: 'system:scheduler', at, documentId: 'doc-1' });
    document([asked(due), consulted('marc'), acknowledged('marc')]).when(when('2026-12-05T07:59:00.000Z')).then([]);
    const state = document([asked(due), consulted('marc'), acknowledged('marc')]).when(when(due)).then([reminded(['sophie'], 'due', due)]);
    expect(documentDecider.decide(state, when('2026-12-06T00:00:00.000Z'))._unsafeUnwrap()).toEqual([]);
  });
});

describe('the limits hold whatever the path (issue 30)', () => {
  const settings = { categories: new Map(), maxDocumentBytes: 1000, currentYear: YEAR };
  it('moving the due date asks nobody anew, and a due reminder skips whoever was reminded within the day', () => {
    const due = '2026-12-05T08:00:00.000Z';
    const moved = document([asked(due)]).when({ type: 'ChangeDetails', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, settings, acknowledgement: { required: true, dueAt: '2026-12-09T00:00:00.000Z' } });
    moved.then([{ type: 'AcknowledgementSet', data: { documentId: 'doc-1', required: true, dueAt: '2026-12-09T00:00:00.000Z', ask: false }, actor: 'anne', at: AT }]);
    // Reminded by the first due date an hour ago, the date re-armed: the second due date finds nobody to remind yet.
    const at = '2026-12-09T00:00:00.000Z';
    document([asked('2026-12-08T22:00:00.000Z'), reminded(['marc', 'sophie'], 'due', '2026-12-08T23:00:00.000Z'), { type: 'AcknowledgementSet', data: { documentId: 'doc-1', required: true, dueAt: at, ask: false }, actor: 'anne', at: AT }])
      .when({ type: 'RemindDue', actorId: 'system:scheduler', at, documentId: 'doc-1' })
      .then([reminded([], 'due', at)]);
  });

  it('only the depositor calls a version minor: a recipient allowed to edit may upload, but not a minor one', () => {
    const editable: DocumentEvent = { type: 'RecipientsMayEditSet', data: { documentId: 'doc-1', recipientsMayEdit: true }, actor: 'anne', at: AT };
    const upload = (actorId: string, minor: boolean): DocumentCommand => ({ type: 'UpdateContent', actorId, at: AT, documentId: 'doc-1', currentYear: YEAR, maxDocumentBytes: 1000, file: file(), minor });
    document([asked(), editable]).when(upload('marc', true)).thenError('NOT_DEPOSITOR');
    expect(documentDecider.decide(document([asked(), editable]).state, upload('marc', false)).isOk()).toBe(true);
    expect(documentDecider.decide(document([asked(), editable]).state, upload('anne', true)).isOk()).toBe(true);
  });

  type Step =
    | { kind: 'wait'; hours: number }
    | { kind: 'remind' }
    | { kind: 'due' }
    | { kind: 'setDue'; inHours: number; required: boolean }
    | { kind: 'update'; minor: boolean }
    | { kind: 'consult' | 'ack'; who: 'marc' | 'sophie' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 30 }) }),
    fc.constant({ kind: 'remind' as const }),
    fc.constant({ kind: 'due' as const }),
    fc.record({ kind: fc.constant('setDue' as const), inHours: fc.integer({ min: 1, max: 48 }), required: fc.boolean() }),
    fc.record({ kind: fc.constant('update' as const), minor: fc.boolean() }),
    fc.record({ kind: fc.constantFrom('consult' as const, 'ack' as const), who: fc.constantFrom('marc' as const, 'sophie' as const) }),
  );
  test.prop([fc.array(step, { maxLength: 60 })], { numRuns: 300 })(
    'at most one reminder a day per person, by hand or by due date, however often the date moves; a due reminder goes only to who owes the latest acknowledgement; people are asked once per ask',
    (steps) => {
      let now = Date.parse(AT);
      const iso = () => new Date(now).toISOString();
      let state: DocumentState = [asked()].reduce(documentDecider.evolve, documentDecider.initialState);
      // The model: when each person was last reminded, the latest non-minor version, what each acknowledged, whether an ask is on.
      const lastReminded = new Map<string, number>();
      let asksOn = true;
      let latestMajor = 1;
      let version = 1;
      const acked = new Map<string, number>();
      /** Who opened the latest version (any new version, minor too, is unopened by all). */
      const opened = new Set<string>();
      const remindable = (u: string) => now - (lastReminded.get(u) ?? -Infinity) >= 24 * 3600_000;
      const recipients = ['marc', 'sophie'];
      for (const s of steps) {
        if (s.kind === 'wait') {
          now += s.hours * 3600_000;
          continue;
        }
        const by = { at: iso(), documentId: 'doc-1' };
        const cmd: DocumentCommand =
          s.kind === 'remind'
            ? remind(iso())
            : s.kind === 'due'
              ? { type: 'RemindDue', actorId: 'system:scheduler', ...by }
              : s.kind === 'setDue'
                ? { type: 'ChangeDetails', actorId: 'anne', ...by, currentYear: YEAR, settings, acknowledgement: { required: s.required, dueAt: new Date(now + s.inHours * 3600_000).toISOString() } }
                : s.kind === 'update'
                  ? { type: 'UpdateContent', actorId: 'anne', ...by, currentYear: YEAR, maxDocumentBytes: 1000, file: file(), minor: s.minor }
                  : s.kind === 'consult'
                    ? { type: 'Consult', actorId: s.who, ...by }
                    : ack(s.who);
        const decided = documentDecider.decide(state, cmd);
        if (decided.isErr()) continue;
        for (const e of decided.value) {
          if (e.type === 'ReminderSent') {
            // Exactly who owes the latest version something and was not reminded within the day:
            // an acknowledgement of an older version counts for nothing once a non-minor one came.
            const owes = (u: string) => (e.data.reason === 'due' ? (acked.get(u) ?? 0) < latestMajor : !opened.has(u) || (asksOn && (acked.get(u) ?? 0) < latestMajor));
            expect([...e.data.userIds].sort(), `${e.data.reason} reminder`).toEqual(recipients.filter((u) => owes(u) && remindable(u)));
            for (const u of e.data.userIds) {
              expect(now - (lastReminded.get(u) ?? -Infinity)).toBeGreaterThanOrEqual(24 * 3600_000);
              lastReminded.set(u, now);
              if (e.data.reason === 'due') expect(acked.get(u) ?? 0).toBeLessThan(latestMajor);
            }
          }
          if (e.type === 'AcknowledgementSet') {
            expect(e.data.ask === true).toBe(e.data.required && !asksOn);
            if (e.data.required && !asksOn) latestMajor = version;
            asksOn = e.data.required;
          }
          if (e.type === 'DocumentConsulted') opened.add(e.data.userId);
          if (e.type === 'DocumentUpdated') {
            opened.clear();
            version += 1;
            if (!e.data.minor) latestMajor = version;
          }
          if (e.type === 'DocumentAcknowledged') acked.set(e.data.userId, e.data.version);
        }
        state = decided.value.reduce(documentDecider.evolve, state);
      }
    },
  );
});

describe('a property of acknowledgements', () => {
  type Step = { kind: 'consult' | 'ack'; who: 'marc' | 'sophie'; version?: number } | { kind: 'update'; minor: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constantFrom('consult' as const, 'ack' as const), who: fc.constantFrom('marc' as const, 'sophie' as const), version: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }) }),
    fc.record({ kind: fc.constant('update' as const), minor: fc.boolean() }),
  );
  test.prop([fc.array(step, { maxLength: 40 })], { numRuns: 300 })('an acknowledgement always names a version the person opened, and the latest one at that', (steps) => {
    let state: DocumentState = [asked()].reduce(documentDecider.evolve, documentDecider.initialState);
    let versions = 1;
    for (const s of steps) {
      const cmd: DocumentCommand =
        s.kind === 'update'
          ? { type: 'UpdateContent', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, maxDocumentBytes: 1000, file: file(), minor: s.minor }
          : s.kind === 'consult'
            ? { type: 'Consult', actorId: s.who, at: AT, documentId: 'doc-1', version: s.version }
            : ack(s.who);
      const decided = documentDecider.decide(state, cmd);
      if (decided.isErr()) continue;
      for (const e of decided.value) {
        if (e.type === 'DocumentAcknowledged') {
          expect(state.status === 'live' && state.consulted.has(consultationKey(e.data.userId, e.data.version))).toBe(true);
          expect(e.data.version).toBe(versions);
        }
        if (e.type === 'DocumentUpdated') versions += 1;
      }
      state = decided.value.reduce(documentDecider.evolve, state);
    }
  });
});

describe('acknowledgements and reminders at their edges (mutation run of 2026-12-06)', () => {
  const settings = { categories: new Map(), maxDocumentBytes: 1000, currentYear: YEAR };
  const change = (acknowledgement: { required: boolean; dueAt?: string | null }): DocumentCommand => ({ type: 'ChangeDetails', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, settings, acknowledgement });
  const day = 24 * 3600_000;
  const later = (ms: number) => new Date(Date.parse(AT) + ms).toISOString();

  it('asking what is already asked, with the same due date, records nothing; a due date of now is not in the future', () => {
    document([asked('2026-12-05T08:00:00.000Z')]).when(change({ required: true, dueAt: '2026-12-05T08:00:00.000Z' })).then([]);
    document([deposited()]).when(change({ required: false })).then([]);
    document([deposited()]).when(change({ required: true, dueAt: AT })).thenError('INVALID_DUE_DATE');
  });

  it('a version called minor says so in its event; one that is not, does not', () => {
    const upload = (minor: boolean): DocumentCommand => ({ type: 'UpdateContent', actorId: 'anne', at: AT, documentId: 'doc-1', currentYear: YEAR, maxDocumentBytes: 1000, file: file(), minor });
    const [minorEvent] = documentDecider.decide(document([asked()]).state, upload(true))._unsafeUnwrap();
    expect(minorEvent!.data).toMatchObject({ minor: true });
    const [major] = documentDecider.decide(document([asked()]).state, upload(false))._unsafeUnwrap();
    expect(major!.data).not.toHaveProperty('minor');
  });

  it('a due reminder exactly a day after the last reaches again; a manual one too soon names the nearest wait', () => {
    const dueAt = later(day);
    document([asked(dueAt), reminded(['marc', 'sophie'], 'manual', AT)])
      .when({ type: 'RemindDue', actorId: 'system:scheduler', at: dueAt, documentId: 'doc-1' })
      .then([reminded(['marc', 'sophie'], 'due', dueAt)]);
    // marc reminded at AT, sophie an hour later: marc is the first who may be reminded again, in 22 hours.
    document([asked(), reminded(['marc'], 'manual', AT), reminded(['sophie'], 'manual', later(3600_000))])
      .when(remind(later(2 * 3600_000)))
      .thenError('REMINDER_TOO_SOON', { retryAfterSeconds: 22 * 3600 });
  });
});
