import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { directoryDecider, directoryParts, holdsLocker, lockerChanges, viewOf, type Directory } from '../../src/domain/index.js';
import { schoolDirectory } from '../support/fixtures.js';
import { AT, given } from './given.js';

const by = { actorId: 'admin', at: AT };

describe('the directory', () => {
  it('is accepted whole when every reference resolves', () => {
    given(directoryDecider, []).when({ type: 'SyncDirectory', ...by, directory: schoolDirectory }).then([
      { type: 'DirectorySynced', data: schoolDirectory, actor: 'admin', at: AT },
    ]);
  });

  it('names duplicate ids where they are', () => {
    const twice: Directory = {
      profiles: [...schoolDirectory.profiles, schoolDirectory.profiles[0]!],
      users: schoolDirectory.users,
      classes: [...schoolDirectory.classes, schoolDirectory.classes[0]!],
    };
    const error = given(directoryDecider, []).when({ type: 'SyncDirectory', ...by, directory: twice }).thenError('INVALID_DIRECTORY');
    expect(error.problems).toEqual([
      { path: 'profiles', message: 'duplicate profile id p-teacher' },
      { path: 'classes', message: 'duplicate class id 3a' },
    ]);
  });

  it('is seen through a view: users, classes, and the permissions their profiles grant', () => {
    const view = viewOf(schoolDirectory);
    expect(view.schoolClass('4b')).toEqual({ id: '4b', name: '4B', teacherIds: ['marc', 'sophie'] });
    expect(view.schoolClass('nope')).toBeUndefined();
    expect([...view.permissionsOf('admin')].sort()).toEqual(['locker.admin', 'locker.deposit']);
    expect([...view.permissionsOf('marc')]).toEqual([]);
    expect([...view.permissionsOf('ghost')]).toEqual([]);
    // A profile the directory does not define grants nothing.
    const stray = viewOf({ ...schoolDirectory, users: schoolDirectory.users.map((u) => (u.id === 'anne' ? { ...u, profiles: ['p-teacher', 'p-gone'] } : u)) });
    expect([...stray.permissionsOf('anne')]).toEqual(['locker.deposit']);
  });

  it('is refused whole, naming every broken reference', () => {
    const broken: Directory = {
      ...schoolDirectory,
      users: [...schoolDirectory.users, { id: 'anne', displayName: 'Twin', kind: 'teacher', profiles: ['ghost-profile'] }],
      classes: [{ id: 'x', name: 'X', teacherIds: ['leo', 'nobody'] }],
    };
    const error = given(directoryDecider, []).when({ type: 'SyncDirectory', ...by, directory: broken }).thenError('INVALID_DIRECTORY');
    expect(error.problems).toEqual([
      { path: 'users', message: 'duplicate user id anne' },
      { path: 'users[7].profiles', message: 'user anne refers to unknown profile ghost-profile' },
      { path: 'classes[0].teacherIds', message: 'class x lists student leo in its teaching team' },
      { path: 'classes[0].teacherIds', message: 'class x refers to unknown user nobody' },
    ]);
  });

  it('says who holds a locker: in the directory, and not a student', () => {
    const view = viewOf(schoolDirectory);
    expect(['admin', 'anne', 'marc', 'sophie'].every((u) => holdsLocker(view, u))).toBe(true);
    expect(holdsLocker(view, 'leo')).toBe(false);
    expect(holdsLocker(view, 'ghost')).toBe(false);
  });

  it('opens lockers for staff who appear and closes those of staff who left or became students', () => {
    const next: Directory = {
      ...schoolDirectory,
      users: [
        ...schoolDirectory.users.filter((u) => u.id !== 'paul').map((u) => (u.id === 'sophie' ? { ...u, kind: 'student' as const } : u)),
        { id: 'nina', displayName: 'Nina', kind: 'staff', profiles: [] },
      ],
    };
    expect(lockerChanges(['admin', 'auditor', 'anne', 'paul', 'marc', 'sophie'], next)).toEqual({
      open: ['nina'],
      close: [
        { userId: 'paul', reason: 'left-directory' },
        { userId: 'sophie', reason: 'became-student' },
      ],
    });
    expect(lockerChanges(['admin', 'auditor', 'anne', 'paul', 'marc', 'sophie'], schoolDirectory)).toEqual({ open: [], close: [] });
  });

  it('remembers the last two directories until the documents have followed the change between them', () => {
    const synced = { type: 'DirectorySynced' as const, data: schoolDirectory, actor: 'admin', at: AT };
    const pending = given(directoryDecider, [synced, synced]);
    expect(pending.state).toEqual({ current: schoolDirectory, previous: schoolDirectory, followed: false });
    const done = pending.when({ type: 'MarkFollowed', ...by }).then([{ type: 'DirectoryFollowed', data: {}, actor: 'admin', at: AT }]);
    expect(done.followed).toBe(true);
    given(directoryDecider, [synced, { type: 'DirectoryFollowed', data: {}, actor: 'admin', at: AT }]).when({ type: 'MarkFollowed', ...by }).then([]);
  });

  describe('too large for one event: staged in parts, then committed', () => {
    const parts = directoryParts(schoolDirectory, 300);
    const staged = (syncId: string, i: number) => ({
      type: 'DirectoryPartStaged' as const,
      data: { syncId, part: i, parts: parts.length, ...parts[i]! },
      actor: 'admin',
      at: AT,
    });

    it('splits by bytes, profiles first, and the parts put together are the directory', () => {
      expect(parts.length).toBeGreaterThan(2);
      expect(parts[0]!.profiles).toEqual(schoolDirectory.profiles);
      expect(parts.slice(1).every((p) => p.profiles.length === 0)).toBe(true);
      expect(parts.flatMap((p) => p.users)).toEqual(schoolDirectory.users);
      expect(parts.flatMap((p) => p.classes)).toEqual(schoolDirectory.classes);
      for (const p of parts) expect(p.users.length + p.classes.length).toBeGreaterThan(0);
      expect(directoryParts(schoolDirectory)).toEqual([schoolDirectory]);
    });

    it('a part is staged once; staged parts change nothing until the commit, which makes them the directory', () => {
      given(directoryDecider, []).when({ type: 'StageDirectoryPart', ...by, syncId: 's1', part: 0, parts: parts.length, directory: parts[0]! }).then([staged('s1', 0)]);
      given(directoryDecider, [staged('s1', 0)]).when({ type: 'StageDirectoryPart', ...by, syncId: 's1', part: 0, parts: parts.length, directory: parts[0]! }).then([]);
      const all = parts.map((_, i) => staged('s1', i));
      const before = given(directoryDecider, all);
      expect(before.state.current).toBeUndefined();
      const after = before.when({ type: 'CommitDirectory', ...by, syncId: 's1' }).then([{ type: 'DirectoryCommitted', data: { syncId: 's1', parts: parts.length }, actor: 'admin', at: AT }]);
      expect(after).toEqual({ current: schoolDirectory, previous: undefined, followed: false });
    });

    it('a commit with a part missing, of another sync, or of a directory that does not hold together is refused', () => {
      const missing = parts.map((_, i) => staged('s1', i)).filter((e) => e.data.part !== 1);
      given(directoryDecider, missing).when({ type: 'CommitDirectory', ...by, syncId: 's1' }).thenError('INVALID_DIRECTORY', { problems: [{ path: 'parts', message: `part 1 of ${parts.length} was never staged` }] });
      given(directoryDecider, parts.map((_, i) => staged('s1', i))).when({ type: 'CommitDirectory', ...by, syncId: 's2' }).thenError('INVALID_DIRECTORY', { problems: [{ path: 'parts', message: 'nothing is staged for sync s2' }] });
      // A newer sync's parts replace an older one's that was never committed.
      const mixed = [staged('s1', 0), ...parts.map((_, i) => staged('s2', i))];
      expect(given(directoryDecider, mixed).when({ type: 'CommitDirectory', ...by, syncId: 's1' }).thenError('INVALID_DIRECTORY').problems[0]!.message).toBe('nothing is staged for sync s1');
      const broken = directoryParts({ ...schoolDirectory, classes: [{ id: 'x', name: 'X', teacherIds: ['nobody'] }] }, 300);
      const brokenStaged = broken.map((p, i) => ({ type: 'DirectoryPartStaged' as const, data: { syncId: 's3', part: i, parts: broken.length, ...p }, actor: 'admin', at: AT }));
      given(directoryDecider, brokenStaged).when({ type: 'CommitDirectory', ...by, syncId: 's3' }).thenError('INVALID_DIRECTORY', { problems: [{ path: 'classes[0].teacherIds', message: 'class x refers to unknown user nobody' }] });
      given(directoryDecider, []).when({ type: 'StageDirectoryPart', ...by, syncId: 's1', part: 3, parts: 3, directory: parts[0]! }).thenError('INVALID_DIRECTORY');
    });
  });

  describe('split by bytes (a model of the greedy split)', () => {
    const size = (x: unknown) => JSON.stringify(x).length;
    const items = (p: Directory) => p.users.length + p.classes.length;
    /** What the split counts for a part before its next item: its profiles' JSON, then each item and a separator. */
    const load = (p: Directory) => (p.profiles.length > 0 ? size(p.profiles) : 0) + [...p.users, ...p.classes].reduce((n, x) => n + size(x) + 1, 0);
    /** Its bytes: no separator after the last item. */
    const bytes = (p: Directory) => load(p) - (items(p) > 0 ? 1 : 0);
    const person = fc.record({ id: fc.string({ minLength: 1, maxLength: 12 }), displayName: fc.string({ maxLength: 40 }), kind: fc.constantFrom('teacher' as const, 'student' as const), profiles: fc.constant([] as string[]) });
    const schoolClass = fc.record({ id: fc.string({ minLength: 1, maxLength: 8 }), name: fc.string({ maxLength: 10 }), teacherIds: fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }) });
    test.prop([fc.array(person, { maxLength: 40 }), fc.array(schoolClass, { maxLength: 20 }), fc.integer({ min: 1, max: 600 })])('parts put back together are the directory; each fits, or holds one item alone; none could have taken the next one', (users, classes, budget) => {
      const directory: Directory = { profiles: schoolDirectory.profiles, users, classes };
      const parts = directoryParts(directory, budget);
      expect({ profiles: parts.flatMap((p) => p.profiles), users: parts.flatMap((p) => p.users), classes: parts.flatMap((p) => p.classes) }).toEqual(directory);
      expect(parts[0]!.profiles).toEqual(directory.profiles);
      for (const [i, p] of parts.entries()) {
        if (i > 0) expect(p.profiles).toEqual([]);
        if (parts.length > 1) expect(items(p)).toBeGreaterThan(0);
        if (bytes(p) > budget) expect(items(p) <= 1 || (i === 0 && items(p) === 1)).toBe(true);
        const next = parts[i + 1];
        if (next) {
          const first = next.users[0] ?? next.classes[0];
          expect(load(p) + size(first)).toBeGreaterThan(budget);
        }
      }
    });

    it('a budget met exactly still fits', () => {
      const users = [{ id: 'a', displayName: 'A', kind: 'teacher' as const, profiles: [] }, { id: 'b', displayName: 'B', kind: 'teacher' as const, profiles: [] }];
      const exact = size([]) + size(users[0]) + 1 + size(users[1]);
      expect(directoryParts({ profiles: [], users, classes: [] }, exact)).toHaveLength(1);
      expect(directoryParts({ profiles: [], users, classes: [] }, exact - 1)).toHaveLength(2);
    });
  });

  it('a part that does not exist is refused, naming it; another part of the same sync is staged', () => {
    for (const [part, parts] of [[3, 3], [-1, 3], [0, 0], [1.5, 3], [0, 2.5]] as const) {
      given(directoryDecider, []).when({ type: 'StageDirectoryPart', ...by, syncId: 's1', part, parts, directory: schoolDirectory }).thenError('INVALID_DIRECTORY', { problems: [{ path: 'parts', message: `part ${part} of ${parts} does not exist` }] });
    }
    const first = { type: 'DirectoryPartStaged' as const, data: { syncId: 's1', part: 0, parts: 2, ...schoolDirectory }, actor: 'admin', at: AT };
    given(directoryDecider, [first]).when({ type: 'StageDirectoryPart', ...by, syncId: 's1', part: 1, parts: 2, directory: schoolDirectory }).then([{ ...first, data: { ...first.data, part: 1 } }]);
    given(directoryDecider, []).when({ type: 'StageDirectoryPart', ...by, syncId: 's2', part: 0, parts: 1, directory: schoolDirectory }).then([{ ...first, data: { ...first.data, syncId: 's2', parts: 1 } }]);
  });
});
