import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { canRead, documentDecider, type DocumentCommand, type DocumentEvent, type DocumentState } from '../../src/domain/index.js';
import { FIXTURE } from '../support/fixtures.js';
import { AT, context, directory, file, settings, YEAR } from './given.js';

/**
 * A model of the rules written from DESIGN §2, not from the code: it predicts, for any command on
 * any history, whether it is refused (and why) or what it records. The decider must agree.
 */
type Model = {
  /** Named one by one, and the classes addressed: a new one is a new way of addressing, recorded. */
  named: Set<string>;
  classes: Set<string>;
  exists: boolean;
  deleted: boolean;
  depositor: string;
  year: string;
  recipients: Set<string>;
  versions: number;
  memo: string | null;
  category: string;
  consulted: Set<string>;
};

const LIMIT = 1000;
const people = [...FIXTURE.staff, ...FIXTURE.students, 'ghost'];
const isStaff = (u: string) => FIXTURE.staff.includes(u);
const teams: Record<string, string[]> = { ...FIXTURE.teams, empty: [] };
const clean = (t: string | null) => (t?.trim() ? t.trim() : null);

type Refusal = { refused: string };
type Outcome = Refusal | { events: string[]; next: Model };

const resolve = (users: string[], classes: string[], depositor: string): Refusal | Set<string> => {
  const unknownOrStudent = users.some((u) => !isStaff(u)) || classes.some((c) => !(c in teams) || teams[c]!.length === 0);
  if (unknownOrStudent) return { refused: 'RECIPIENTS_REFUSED' };
  const all = new Set([...users, ...classes.flatMap((c) => teams[c]!)]);
  all.delete(depositor);
  return all;
};

const tooLong = (title: string | null, memo: string | null) =>
  (clean(title)?.length ?? 0) > 200 || (clean(memo)?.length ?? 0) > 2000;

const manage = (m: Model, actor: string, year: string): Refusal | undefined => {
  if (!m.exists) return { refused: 'DOCUMENT_NOT_FOUND' };
  if (m.deleted) return { refused: 'DOCUMENT_DELETED' };
  if (actor !== m.depositor && !m.recipients.has(actor)) return { refused: 'DOCUMENT_NOT_FOUND' };
  if (actor !== m.depositor) return { refused: 'NOT_DEPOSITOR' };
  if (m.year < year) return { refused: 'YEAR_CLOSED' };
  if (m.year > year) return { refused: 'YEAR_NOT_OPEN' };
  return undefined;
};

type Cmd =
  | { kind: 'deposit'; actor: string; users: string[]; classes: string[]; title: string | null; memo: string | null; category: string; size: number }
  | { kind: 'add'; actor: string; users: string[]; classes: string[]; year: string }
  | { kind: 'details'; actor: string; memo?: string | null; category?: string; year: string }
  | { kind: 'update'; actor: string; size: number; year: string }
  | { kind: 'consult'; actor: string; version?: number }
  | { kind: 'delete'; actor: string; year: string };

const predict = (m: Model, c: Cmd): Outcome => {
  switch (c.kind) {
    case 'deposit': {
      if (m.exists) return { refused: 'ALREADY_DEPOSITED' };
      if (!FIXTURE.depositors.includes(c.actor)) return { refused: 'NOT_ALLOWED_TO_DEPOSIT' };
      if (tooLong(c.title, c.memo)) return { refused: 'TEXT_TOO_LONG' };
      if (c.category === 'nope') return { refused: 'CATEGORY_NOT_FOUND' };
      if (c.category === 'old') return { refused: 'CATEGORY_RETIRED' };
      const recipients = resolve(c.users, c.classes, c.actor);
      if ('refused' in recipients) return recipients;
      if (recipients.size === 0) return { refused: 'NO_RECIPIENTS' };
      if (c.size === 0) return { refused: 'EMPTY_FILE' };
      if (c.size > LIMIT) return { refused: 'FILE_TOO_LARGE' };
      const named = new Set(c.users.filter((u) => u !== c.actor));
      const next = { named, classes: new Set(c.classes), exists: true, deleted: false, depositor: c.actor, year: YEAR, recipients, versions: 1, memo: clean(c.memo), category: c.category, consulted: new Set<string>() };
      return { events: ['DocumentDeposited'], next };
    }
    case 'add': {
      const refused = manage(m, c.actor, c.year);
      if (refused) return refused;
      const recipients = resolve(c.users, c.classes, m.depositor);
      if ('refused' in recipients) return recipients;
      const fresh = [...recipients].filter((u) => !m.recipients.has(u));
      const named = c.users.filter((u) => u !== m.depositor && !m.named.has(u));
      const classes = c.classes.filter((k) => !m.classes.has(k));
      const next = { ...m, recipients: new Set([...m.recipients, ...fresh]), named: new Set([...m.named, ...named]), classes: new Set([...m.classes, ...classes]) };
      return fresh.length + named.length + classes.length > 0 ? { events: ['RecipientAdded'], next } : { events: [], next: m };
    }
    case 'details': {
      const refused = manage(m, c.actor, c.year);
      if (refused) return refused;
      const events: string[] = [];
      if (c.category !== undefined && c.category !== m.category) {
        if (c.category === 'nope') return { refused: 'CATEGORY_NOT_FOUND' };
        if (c.category === 'old') return { refused: 'CATEGORY_RETIRED' };
        events.push('CategoryChanged');
      }
      if (c.memo !== undefined && clean(c.memo) !== m.memo) {
        if (tooLong(null, c.memo)) return { refused: 'TEXT_TOO_LONG' };
        events.push('MemoChanged');
      }
      return { events, next: { ...m, category: c.category ?? m.category, memo: c.memo === undefined ? m.memo : clean(c.memo) } };
    }
    case 'update': {
      const refused = manage(m, c.actor, c.year);
      if (refused) return refused;
      if (c.size === 0) return { refused: 'EMPTY_FILE' };
      if (c.size > LIMIT) return { refused: 'FILE_TOO_LARGE' };
      return { events: ['DocumentUpdated'], next: { ...m, versions: m.versions + 1 } };
    }
    case 'consult': {
      if (!m.exists || m.deleted || (c.actor !== m.depositor && !m.recipients.has(c.actor))) return { refused: 'DOCUMENT_NOT_FOUND' };
      const version = c.version ?? m.versions;
      if (version < 1 || version > m.versions) return { refused: 'VERSION_NOT_FOUND' };
      const key = `${c.actor}#${version}`;
      if (!m.recipients.has(c.actor) || m.consulted.has(key)) return { events: [], next: m };
      return { events: ['DocumentConsulted'], next: { ...m, consulted: new Set([...m.consulted, key]) } };
    }
    case 'delete': {
      const refused = manage(m, c.actor, c.year);
      return refused ?? { events: ['DocumentDeletedForAll'], next: { ...m, deleted: true } };
    }
  }
};

const toCommand = (c: Cmd): DocumentCommand => {
  const base = { actorId: c.actor, at: AT, documentId: 'doc-1' };
  switch (c.kind) {
    case 'deposit':
      return { type: 'Deposit', ...base, recipients: { users: c.users, classes: c.classes }, categoryId: c.category, title: c.title, memo: c.memo, context, file: file({ sizeBytes: c.size }) };
    case 'add':
      return { type: 'AddRecipients', ...base, currentYear: c.year, directory, recipients: { users: c.users, classes: c.classes } };
    case 'details':
      return { type: 'ChangeDetails', ...base, currentYear: c.year, settings, memo: c.memo, categoryId: c.category };
    case 'update':
      return { type: 'UpdateContent', ...base, currentYear: c.year, maxDocumentBytes: LIMIT, file: file({ sizeBytes: c.size }) };
    case 'consult':
      return { type: 'Consult', ...base, version: c.version };
    case 'delete':
      return { type: 'DeleteForAll', ...base, currentYear: c.year };
  }
};

const actor = fc.constantFrom(...people);
const users = fc.subarray(people, { maxLength: 4 });
const classes = fc.subarray(['3a', '4b', 'empty', 'nope'], { maxLength: 2 });
const year = fc.constantFrom(YEAR, YEAR, YEAR, '2025-2026', '2027-2028');
// Texts around their limits: short, at the limit, one over, and blank.
const text = (max: number) => fc.oneof(fc.constant(null), fc.constant('  '), fc.string({ maxLength: 8 }), fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1), ` ${'x'.repeat(max)} `));
const size = fc.oneof(fc.constantFrom(0, 1, LIMIT - 1, LIMIT, LIMIT + 1), fc.integer({ min: 0, max: 2 * LIMIT }));
const category = fc.constantFrom('minutes', 'minutes', 'old', 'nope');

const depositCmd = fc.record({ kind: fc.constant('deposit' as const), actor, users, classes, title: text(200), memo: text(2000), category, size });
const command: fc.Arbitrary<Cmd> = fc.oneof(
  depositCmd,
  fc.record({ kind: fc.constant('add' as const), actor, users, classes, year }),
  fc.record({ kind: fc.constant('details' as const), actor, memo: fc.option(text(2000), { nil: undefined }), category: fc.option(category, { nil: undefined }), year }),
  fc.record({ kind: fc.constant('update' as const), actor, size, year }),
  fc.record({ kind: fc.constant('consult' as const), actor, version: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant('delete' as const), actor, year }),
);

// A deposit that the rules accept, so most runs get past the first command.
const goodDeposit: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.constant('deposit' as const),
  actor: fc.constantFrom(...FIXTURE.depositors),
  users: fc.subarray(['marc', 'sophie', 'auditor'], { minLength: 1 }),
  classes: fc.constant([]),
  title: fc.constant(null),
  memo: fc.constant(null),
  category: fc.constant('minutes'),
  size: fc.constant(10),
});

describe('the document decider agrees with a model of the rules, for any sequence of commands', () => {
  test.prop([fc.oneof(goodDeposit, depositCmd), fc.array(command, { maxLength: 30 })], { numRuns: 400 })(
    'refusals, their reasons, what is recorded, and who may read',
    (first, commands) => {
      let model: Model = { named: new Set(), classes: new Set(), exists: false, deleted: false, depositor: '', year: YEAR, recipients: new Set(), versions: 0, memo: null, category: '', consulted: new Set() };
      let state: DocumentState = documentDecider.initialState;
      for (const c of [first, ...commands]) {
        const expected = predict(model, c);
        const result = documentDecider.decide(state, toCommand(c));
        if ('refused' in expected) {
          expect(result.isErr() && result.error.code, JSON.stringify(c)).toBe(expected.refused);
          continue;
        }
        expect(result.isOk(), `${JSON.stringify(c)} → ${JSON.stringify(result)}`).toBe(true);
        const events = result._unsafeUnwrap() as DocumentEvent[];
        expect(events.map((e) => e.type)).toEqual(expected.events);
        for (const e of events) expect([e.actor, e.at]).toEqual([c.actor, AT]);
        state = events.reduce(documentDecider.evolve, state);
        model = expected.next;
        for (const person of people) {
          expect(canRead(state, person), person).toBe(model.exists && !model.deleted && (person === model.depositor || model.recipients.has(person)));
        }
        if (state.status !== 'none') {
          expect(state.versions.map((v) => v.version)).toEqual(Array.from({ length: model.versions }, (_, i) => i + 1));
          expect(state.recipients.has(state.depositorId)).toBe(false);
        }
      }
    },
  );
});
