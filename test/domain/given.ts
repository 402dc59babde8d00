import { expect } from 'vitest';
import type { Result } from 'neverthrow';
import {
  evolveDocument,
  initialDocument,
  viewOf,
  type Directory,
  type DocumentEvent,
  type DocumentState,
  type TenantSettings,
} from '../../src/domain/index.js';

export const AT = '2026-11-28T10:00:00.000Z';

export const directory: Directory = {
  profiles: [{ id: 'depositors', name: 'Depositors', permissions: ['locker.deposit'] }],
  users: [
    { id: 'anne', displayName: 'Anne', kind: 'teacher', profiles: ['depositors'] },
    { id: 'paul', displayName: 'Paul', kind: 'teacher', profiles: ['depositors'] },
    { id: 'marc', displayName: 'Marc', kind: 'staff', profiles: [] },
    { id: 'sophie', displayName: 'Sophie', kind: 'counselor', profiles: [] },
    { id: 'leo', displayName: 'Léo', kind: 'student', profiles: ['depositors'] },
  ],
  classes: [
    { id: '3a', name: '3A', teacherIds: ['anne', 'paul', 'marc'] },
    { id: 'empty', name: 'Empty', teacherIds: [] },
  ],
};

export const settings: TenantSettings = {
  categories: new Map([
    ['minutes', { id: 'minutes', designation: 'Minutes', retired: false }],
    ['old', { id: 'old', designation: 'Old', retired: true }],
  ]),
  maxDocumentBytes: 1000,
  currentYear: '2026-2027',
};

export const ctx = { directory: viewOf(directory), settings, maxDocumentBytes: 1000, year: '2026-2027' };

export const file = (over: Partial<{ sizeBytes: number; sha256: string }> = {}) => ({
  blobKey: `t/${'a'.repeat(64)}`,
  sha256: 'a'.repeat(64),
  sizeBytes: 10,
  fileName: 'minutes.pdf',
  mediaType: 'application/pdf',
  ...over,
});

export const deposited = (over: { recipients?: string[]; depositor?: string; id?: string } = {}): DocumentEvent => ({
  type: 'DocumentDeposited',
  data: {
    documentId: over.id ?? 'doc-1',
    year: '2026-2027',
    depositorId: over.depositor ?? 'anne',
    title: 'Minutes',
    categoryId: 'minutes',
    memo: null,
    recipientIds: over.recipients ?? ['marc'],
    classes: [],
    content: { ...file(), version: 1 },
    source: 'upload',
  },
  actor: over.depositor ?? 'anne',
  at: AT,
});

/** given(history).when(decision) → thenEvents / thenFails, reading like the rule it checks. */
export const given = (history: DocumentEvent[]) => {
  const state: DocumentState = history.reduce(evolveDocument, initialDocument);
  return {
    state,
    when: <T>(decide: (state: DocumentState) => Result<T, { code: string }>) => {
      const result = decide(state);
      return {
        thenFails: (code: string) => {
          expect(result.isErr(), `expected ${code}, got ${JSON.stringify(result)}`).toBe(true);
          expect(result._unsafeUnwrapErr().code).toBe(code);
          return result._unsafeUnwrapErr();
        },
        then: (check: (value: T) => void) => {
          expect(result.isOk(), `expected success, got ${JSON.stringify(result)}`).toBe(true);
          check(result._unsafeUnwrap());
        },
      };
    },
  };
};
