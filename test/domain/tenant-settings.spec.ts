import { describe, expect, it } from 'vitest';
import {
  closeLocker,
  createCategory,
  evolveLocker,
  evolveTenantSettings,
  initialLocker,
  initialTenantSettings,
  openLocker,
  removeFromLocker,
  renameCategory,
  retireCategory,
  setMaxDocumentSize,
  syncDirectory,
  type TenantSettingsEvent,
} from '../../src/domain/index.js';
import { AT, directory } from './given.js';

const by = { actorId: 'admin', at: AT };
const fold = (events: TenantSettingsEvent[]) => events.reduce(evolveTenantSettings, initialTenantSettings);

describe('categories and settings', () => {
  const created = createCategory(initialTenantSettings, { ...by, categoryId: 'c1', designation: '  Council   minutes ' })._unsafeUnwrap();
  const state = fold(created);

  it('creates with a normalised designation and refuses a duplicate, whatever its case', () => {
    expect(state.categories.get('c1')).toEqual({ id: 'c1', designation: 'Council minutes', retired: false });
    expect(createCategory(state, { ...by, categoryId: 'c2', designation: 'council MINUTES' })._unsafeUnwrapErr().code).toBe('DESIGNATION_TAKEN');
    expect(createCategory(state, { ...by, categoryId: 'c2', designation: '   ' })._unsafeUnwrapErr().code).toBe('INVALID_DESIGNATION');
  });

  it('renames, retires once, and a retired category cannot be renamed', () => {
    expect(renameCategory(state, { ...by, categoryId: 'c1', designation: 'Minutes' })._unsafeUnwrap()).toHaveLength(1);
    const retired = fold([...created, ...retireCategory(state, { ...by, categoryId: 'c1' })._unsafeUnwrap()]);
    expect(retireCategory(retired, { ...by, categoryId: 'c1' })._unsafeUnwrap()).toEqual([]);
    expect(renameCategory(retired, { ...by, categoryId: 'c1', designation: 'X' })._unsafeUnwrapErr().code).toBe('CATEGORY_RETIRED');
    expect(retireCategory(state, { ...by, categoryId: 'nope' })._unsafeUnwrapErr().code).toBe('CATEGORY_NOT_FOUND');
  });

  it('sets a positive maximum size, and setting the same again records nothing', () => {
    const set = setMaxDocumentSize(state, { ...by, maxDocumentBytes: 10 })._unsafeUnwrap();
    expect(set).toHaveLength(1);
    expect(setMaxDocumentSize(fold([...created, ...set]), { ...by, maxDocumentBytes: 10 })._unsafeUnwrap()).toEqual([]);
    expect(setMaxDocumentSize(state, { ...by, maxDocumentBytes: 0 })._unsafeUnwrapErr().code).toBe('INVALID_MAX_SIZE');
  });
});

describe('lockers and the directory', () => {
  it('opens once, closes once, and only an open locker is tidied by its holder', () => {
    const opened = openLocker(initialLocker, { ...by, userId: 'marc' });
    const open = opened.reduce(evolveLocker, initialLocker);
    expect(openLocker(open, { ...by, userId: 'marc' })).toEqual([]);
    expect(removeFromLocker(open, { actorId: 'marc', at: AT, documentId: 'd', isRecipient: true })._unsafeUnwrap()).toHaveLength(1);
    expect(removeFromLocker(open, { actorId: 'marc', at: AT, documentId: 'd', isRecipient: false })._unsafeUnwrapErr().code).toBe('NOT_IN_LOCKER');
    const closed = closeLocker(open, { ...by, userId: 'marc', reason: 'left-directory' }).reduce(evolveLocker, open);
    expect(closeLocker(closed, { ...by, userId: 'marc', reason: 'left-directory' })).toEqual([]);
    expect(removeFromLocker(closed, { actorId: 'marc', at: AT, documentId: 'd', isRecipient: true })._unsafeUnwrapErr().code).toBe('LOCKER_CLOSED');
  });

  it('accepts a consistent directory and names every broken reference of another', () => {
    expect(syncDirectory({ ...by, directory })._unsafeUnwrap()).toHaveLength(1);
    const broken = {
      ...directory,
      users: [...directory.users, { id: 'anne', displayName: 'Twin', kind: 'teacher' as const, profiles: ['ghost-profile'] }],
      classes: [{ id: 'x', name: 'X', teacherIds: ['leo', 'nobody'] }],
    };
    const error = syncDirectory({ ...by, directory: broken })._unsafeUnwrapErr();
    expect(error.problems.map((p) => p.message)).toEqual([
      'duplicate user id anne',
      'user anne refers to unknown profile ghost-profile',
      'class x lists student leo in its teaching team',
      'class x refers to unknown user nobody',
    ]);
  });
});
