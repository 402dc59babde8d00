import { expect } from 'vitest';
import { viewOf, type ClassRecipient, type Decider, type DocumentEvent, type Group, type TenantSettings } from '../../src/domain/index.js';
import { schoolDirectory } from '../support/fixtures.js';

export const AT = '2026-11-28T10:00:00.000Z';
export const YEAR = '2026-2027';

/** The fixture directory plus a class with nobody left to teach it. */
export const directory = viewOf({ ...schoolDirectory, classes: [...schoolDirectory.classes, { id: 'empty', name: 'Empty', teacherIds: [] }] });

export const settings: TenantSettings = {
  categories: new Map([
    ['minutes', { id: 'minutes', designation: 'Minutes', retired: false }],
    ['old', { id: 'old', designation: 'Old', retired: true }],
  ]),
  maxDocumentBytes: 1000,
  currentYear: YEAR,
};

export const context = { directory, settings, maxDocumentBytes: 1000, year: YEAR };

export const file = (over: Partial<{ sizeBytes: number; sha256: string; fileName: string }> = {}) => ({
  blobKey: `t/${over.sha256 ?? 'a'.repeat(64)}`,
  sha256: 'a'.repeat(64),
  sizeBytes: 10,
  fileName: 'minutes.pdf',
  mediaType: 'application/pdf',
  ...over,
});

/** A whole `DocumentDeposited` event, as the decider writes it; every field can be changed. */
export const deposited = (
  over: { recipients?: string[]; named?: string[]; classes?: ClassRecipient[]; groups?: Group[]; depositor?: string; id?: string; year?: string; memo?: string | null; title?: string } = {},
): DocumentEvent => ({
  type: 'DocumentDeposited',
  data: {
    documentId: over.id ?? 'doc-1',
    year: over.year ?? YEAR,
    depositorId: over.depositor ?? 'anne',
    title: over.title ?? 'Minutes',
    categoryId: 'minutes',
    memo: over.memo ?? null,
    recipientIds: over.recipients ?? ['marc'],
    named: over.named ?? over.recipients ?? ['marc'],
    classes: over.classes ?? [],
    groups: over.groups ?? [],
    content: { ...file(), version: 1 },
    source: 'upload',
  },
  actor: over.depositor ?? 'anne',
  at: AT,
});

/**
 * given(history).when(command).then(events): the decider folds the history with its own `evolve`,
 * decides the command, and the outcome is compared whole (deep equality), or by its error code.
 */
export const given = <Command, State, Event, Error extends { code: string }>(decider: Decider<Command, State, Event, Error>, history: readonly Event[]) => {
  const state = history.reduce(decider.evolve, decider.initialState);
  return {
    state,
    when: (command: Command) => {
      const result = decider.decide(state, command);
      return {
        then: (expected: Event[]) => {
          expect(result.isOk(), `expected events, got ${JSON.stringify(result)}`).toBe(true);
          expect(result._unsafeUnwrap()).toEqual(expected);
          return expected.reduce(decider.evolve, state);
        },
        thenError: (code: Error['code'], details?: Partial<Error>) => {
          expect(result.isErr(), `expected ${code}, got ${JSON.stringify(result)}`).toBe(true);
          const error = result._unsafeUnwrapErr();
          expect(error.code).toBe(code);
          if (details) expect(error).toEqual({ code, ...details });
          return error;
        },
      };
    },
  };
};
