import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  addRecipients,
  canRead,
  changeMemo,
  consult,
  deleteForAll,
  deposit,
  evolveDocument,
  initialDocument,
  updateContent,
  viewOf,
  type DocumentEvent,
  type DocumentState,
} from '../../src/domain/index.js';
import { AT, ctx, directory, file } from './given.js';

const people = directory.users.map((u) => u.id);
const staff = directory.users.filter((u) => u.kind !== 'student').map((u) => u.id);

type Command =
  | { kind: 'add'; actor: string; users: string[]; classes: string[] }
  | { kind: 'memo'; actor: string; memo: string | null }
  | { kind: 'update'; actor: string; size: number }
  | { kind: 'consult'; actor: string }
  | { kind: 'delete'; actor: string };

const actor = fc.constantFrom(...people);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), actor, users: fc.subarray([...people, 'ghost']), classes: fc.subarray(['3a', 'empty']) }),
  fc.record({ kind: fc.constant('memo' as const), actor, memo: fc.option(fc.string({ maxLength: 5 })) }),
  fc.record({ kind: fc.constant('update' as const), actor, size: fc.integer({ min: 0, max: 1200 }) }),
  fc.record({ kind: fc.constant('consult' as const), actor }),
  fc.record({ kind: fc.constant('delete' as const), actor }),
);

const decide = (state: DocumentState, c: Command) => {
  const base = { actorId: c.actor, at: AT, documentId: 'doc-1' };
  switch (c.kind) {
    case 'add':
      return addRecipients(state, viewOf(directory), { ...base, recipients: { users: c.users, classes: c.classes } });
    case 'memo':
      return changeMemo(state, { ...base, memo: c.memo });
    case 'update':
      return updateContent(state, 1000, { ...base, file: file({ sizeBytes: c.size }) });
    case 'consult':
      return consult(state, base).map((r) => r.events);
    case 'delete':
      return deleteForAll(state, base);
  }
};

const start = (depositor: string, recipients: string[]) => {
  const events = deposit(initialDocument, ctx, {
    actorId: depositor,
    at: AT,
    documentId: 'doc-1',
    recipients: { users: recipients, classes: [] },
    categoryId: 'minutes',
    title: null,
    memo: null,
    file: file(),
  });
  return events.isOk() ? events.value : [];
};

describe('document rules hold for any sequence of commands', () => {
  test.prop([fc.constantFrom('anne', 'paul'), fc.subarray(staff, { minLength: 1 }), fc.array(command, { maxLength: 40 })], { numRuns: 300 })(
    'recipients stay a set, versions count up by one, deleted accepts nothing, and reading is depositor-or-recipient',
    (depositor, initialRecipients, commands) => {
      const history: DocumentEvent[] = start(depositor, initialRecipients);
      fc.pre(history.length === 1);
      let state = history.reduce(evolveDocument, initialDocument);
      // A model kept apart from the aggregate: who should be able to read.
      const model = { recipients: new Set(state.status === 'live' ? state.recipients : []), deleted: false, versions: 1 };

      for (const c of commands) {
        const result = decide(state, c);
        if (model.deleted) expect(result.isErr()).toBe(true);
        if (result.isErr()) continue;
        for (const event of result.value) {
          if (event.type === 'RecipientAdded') {
            expect(new Set(event.data.recipientIds).size).toBe(event.data.recipientIds.length);
            for (const id of event.data.recipientIds) expect(model.recipients.has(id)).toBe(false);
            event.data.recipientIds.forEach((id) => model.recipients.add(id));
          }
          if (event.type === 'DocumentUpdated') {
            model.versions += 1;
            expect(event.data.content.version).toBe(model.versions);
          }
          if (event.type === 'DocumentDeletedForAll') model.deleted = true;
          expect(event.actor).toBe(c.actor);
          expect(event.at).toBe(AT);
          state = evolveDocument(state, event);
        }
        for (const person of [...people, 'ghost']) {
          expect(canRead(state, person)).toBe(!model.deleted && (person === depositor || model.recipients.has(person)));
        }
        expect(model.recipients.has(depositor)).toBe(false);
      }
    },
  );
});
