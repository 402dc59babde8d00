import type { Directory } from '../../src/domain/index.js';

/** One school for every test, from the pure domain to the HTTP suites. */
export const schoolDirectory = {
  profiles: [
    { id: 'p-teacher', name: 'Teachers', permissions: ['locker.deposit'] },
    { id: 'p-admin', name: 'Administration', permissions: ['locker.deposit', 'locker.admin'] },
    { id: 'p-audit', name: 'Auditors', permissions: ['locker.audit'] },
  ],
  users: [
    { id: 'admin', displayName: 'Claire Principal', kind: 'staff', profiles: ['p-admin'] },
    { id: 'auditor', displayName: 'Ines Auditor', kind: 'staff', profiles: ['p-audit'] },
    { id: 'anne', displayName: 'Anne Martin', kind: 'teacher', profiles: ['p-teacher'] },
    { id: 'paul', displayName: 'Paul Durand', kind: 'teacher', profiles: ['p-teacher'] },
    { id: 'marc', displayName: 'Marc Petit', kind: 'teacher', profiles: [] },
    { id: 'sophie', displayName: 'Sophie Leroy', kind: 'counselor', profiles: [] },
    { id: 'leo', displayName: 'Léo Bernard', kind: 'student', profiles: ['p-teacher'] },
  ],
  classes: [
    { id: '3a', name: '3A', teacherIds: ['anne', 'paul', 'marc'] },
    { id: '4b', name: '4B', teacherIds: ['marc', 'sophie'] },
  ],
} satisfies Directory;

/** The rules' own reading of the fixture, kept apart from the code under test. */
export const FIXTURE = {
  staff: ['admin', 'auditor', 'anne', 'paul', 'marc', 'sophie'],
  depositors: ['admin', 'anne', 'paul'],
  students: ['leo'],
  teams: { '3a': ['anne', 'paul', 'marc'], '4b': ['marc', 'sophie'] } as Record<string, string[]>,
};
