import { fc, test } from '@fast-check/vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import type { Actor } from '../../src/application/deps.js';
import { directoryDecider, type Directory, type Group, type UserKind } from '../../src/domain/index.js';
import { handle } from '../../src/application/handle-command.js';
import { compose } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

/**
 * DESIGN §11 as a property over random directory histories: at any moment the readers of a
 * document are exactly its depositor plus the named recipients plus the current members of the
 * addressed classes and groups, minus those who removed it, and only while each holds a locker.
 * The model below is written from that sentence, not from the code's events.
 */
type Kind = UserKind | 'absent';
const PEOPLE: readonly string[] = ['anne', 'paul', 'marc', 'sophie', 'admin', 'nina'];
const DEPOSITORS = ['anne', 'paul', 'admin'];
const CLASSES = ['3a', '4b'] as const;
const GROUP_NAMES: Group[] = ['teachers', 'staff', 'counselors', 'all-staff'];

type World = { kinds: Record<string, Kind>; teams: Record<string, Set<string>> };
type ModelDoc = { id: string; depositor: string; named: Set<string>; classes: Set<string>; groups: Set<Group>; removed: Set<string> };

const holds = (w: World, u: string) => w.kinds[u] !== undefined && w.kinds[u] !== 'absent' && w.kinds[u] !== 'student';
const inGroup = (w: World, u: string, g: Group) => holds(w, u) && (g === 'all-staff' || ({ teachers: 'teacher', staff: 'staff', counselors: 'counselor' } as const)[g] === w.kinds[u]);
const team = (w: World, c: string) => [...w.teams[c]!].filter((u) => holds(w, u));
const reached = (w: World, d: { named: Set<string>; classes: Set<string>; groups: Set<Group> }, depositor: string) =>
  new Set(
    PEOPLE.filter((u) => u !== depositor && holds(w, u) && (d.named.has(u) || [...d.classes].some((c) => team(w, c).includes(u)) || [...d.groups].some((g) => inGroup(w, u, g)))),
  );
const reads = (w: World, d: ModelDoc, u: string) => holds(w, u) && (u === d.depositor || (reached(w, d, d.depositor).has(u) && !d.removed.has(u)));

const directoryOf = (w: World): Directory => ({
  profiles: schoolDirectory.profiles,
  // Only the people of the model: nobody else to be reached through a group.
  users: [
    ...PEOPLE.filter((u) => w.kinds[u] !== 'absent').map((id) => ({
      id,
      displayName: id,
      kind: w.kinds[id] as UserKind,
      profiles: DEPOSITORS.includes(id) ? ['p-admin'] : [],
    })),
  ],
  classes: CLASSES.map((c) => ({ id: c, name: c.toUpperCase(), teacherIds: team(w, c) })),
});

type Cmd =
  | { kind: 'deposit'; actor: string; users: string[]; classes: string[]; groups: Group[] }
  | { kind: 'add'; doc: number; users: string[]; classes: string[]; groups: Group[] }
  | { kind: 'remove'; doc: number; actor: string }
  | { kind: 'restore'; doc: number; actor: string }
  | { kind: 'becomes'; user: string; to: Kind }
  | { kind: 'team'; user: string; schoolClass: string; joins: boolean };

const person = fc.constantFrom(...PEOPLE);
// Classes and groups are what is under test: most choices address some.
const choice = { users: fc.subarray([...PEOPLE], { maxLength: 1 }), classes: fc.subarray([...CLASSES], { maxLength: 2 }), groups: fc.subarray(GROUP_NAMES, { maxLength: 2 }) };
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deposit' as const), actor: fc.constantFrom(...DEPOSITORS), ...choice }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), doc: fc.nat(9), ...choice }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), doc: fc.nat(9), actor: person }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), doc: fc.nat(9), actor: person }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('becomes' as const), user: person, to: fc.constantFrom<Kind>('teacher', 'staff', 'counselor', 'student', 'absent') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('team' as const), user: person, schoolClass: fc.constantFrom(...CLASSES), joins: fc.boolean() }) },
);

const bytes = async function* () {
  yield new TextEncoder().encode('content');
};

describe('recipients that follow the directory, through the use cases and the real adapters', () => {
  // Every history starts with two deposits that reach people through a class, some named, some through a group.
  const first = fc.record({ kind: fc.constant('deposit' as const), actor: fc.constantFrom(...DEPOSITORS), users: fc.subarray(['paul', 'marc', 'sophie'], { maxLength: 2 }), classes: fc.subarray([...CLASSES], { minLength: 1 }), groups: fc.subarray(GROUP_NAMES, { maxLength: 1 }) });
  test.prop([first, first, fc.array(cmd, { minLength: 1, maxLength: 30 })], { numRuns: 80 })(
    'the readers of a document are always its depositor, the named, and the current members of its classes and groups, minus who removed it',
    async (d1, d2, rest) => {
      const commands: Cmd[] = [d1, d2, ...rest];
      const dir = mkdtempSync(join(tmpdir(), 'locker-follow-'));
      const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }));
      const uc = app.useCases;
      const as = (userId: string): Actor => ({ tenant: 'school', userId, scopes: [] });
      const sync = async (w: World) => (await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, directoryOf(w)))._unsafeUnwrap();
      try {
        const world: World = {
          kinds: { anne: 'teacher', paul: 'teacher', marc: 'teacher', sophie: 'counselor', admin: 'staff', nina: 'absent' },
          teams: { '3a': new Set(['anne', 'paul', 'marc']), '4b': new Set(['marc', 'sophie']) },
        };
        await sync(world);
        const category = (await uc.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
        const docs: ModelDoc[] = [];

        for (const c of commands) {
          const doc = 'doc' in c ? docs[c.doc % Math.max(docs.length, 1)] : undefined;
          switch (c.kind) {
            case 'becomes':
              world.kinds[c.user] = c.to;
              await sync(world);
              break;
            case 'team':
              if (c.joins) world.teams[c.schoolClass]!.add(c.user);
              else world.teams[c.schoolClass]!.delete(c.user);
              await sync(world);
              break;
            case 'deposit': {
              const addressed = { named: new Set(c.users.filter((u) => u !== c.actor)), classes: new Set(c.classes), groups: new Set(c.groups) };
              // The deposit rules (DESIGN §2, §11): every named person holds a locker, every class and
              // group reaches someone, and someone besides the depositor is reached.
              const accepted =
                holds(world, c.actor) &&
                c.users.every((u) => holds(world, u)) &&
                c.classes.every((k) => team(world, k).length > 0) &&
                c.groups.every((g) => PEOPLE.some((u) => u !== c.actor && inGroup(world, u, g))) &&
                reached(world, addressed, c.actor).size > 0;
              const checked = await uc.depositDocument.check(as(c.actor), { recipients: { users: c.users, classes: c.classes, groups: c.groups }, categoryId: category }, undefined);
              const stored = checked.isOk() ? await uc.depositDocument.store(checked.value, { fileName: 'a.txt', mediaType: 'text/plain', content: bytes(), truncated: () => false }) : undefined;
              expect(stored?.isOk() === true, JSON.stringify(c)).toBe(accepted);
              if (stored?.isOk()) docs.push({ id: stored.value.document.id, depositor: c.actor, ...addressed, removed: new Set() });
              break;
            }
            case 'add': {
              if (!doc) break;
              const accepted = holds(world, doc.depositor) && c.users.every((u) => holds(world, u)) && c.classes.every((k) => team(world, k).length > 0) && c.groups.every((g) => PEOPLE.some((u) => u !== doc.depositor && inGroup(world, u, g)));
              const added = await uc.addRecipients(as(doc.depositor), doc.id, { users: c.users, classes: c.classes, groups: c.groups });
              expect(added.isOk(), JSON.stringify(c)).toBe(accepted);
              if (added.isOk()) {
                const now = { named: new Set(c.users), classes: new Set(c.classes), groups: new Set(c.groups) };
                // Being addressed again by the depositor brings a removed document back.
                for (const u of reached(world, now, doc.depositor)) doc.removed.delete(u);
                c.users.filter((u) => u !== doc.depositor).forEach((u) => doc.named.add(u));
                c.classes.forEach((k) => doc.classes.add(k));
                c.groups.forEach((g) => doc.groups.add(g));
              }
              break;
            }
            case 'remove': {
              if (!doc) break;
              const removed = await uc.removeFromLocker(as(c.actor), doc.id);
              const may = reads(world, doc, c.actor) && c.actor !== doc.depositor;
              expect(removed.isOk(), JSON.stringify(c)).toBe(may);
              if (may) doc.removed.add(c.actor);
              break;
            }
            case 'restore': {
              if (!doc) break;
              const restored = await uc.restoreToLocker(as(c.actor), doc.id);
              if (restored.isOk() && doc.removed.has(c.actor) && reached(world, doc, doc.depositor).has(c.actor)) doc.removed.delete(c.actor);
              break;
            }
          }
          for (const d of docs) {
            for (const u of PEOPLE) {
              const readable = (await uc.getDocument(as(u), d.id)).isOk();
              expect(readable, `${u} reading ${d.depositor}'s document after ${JSON.stringify(c)} in ${JSON.stringify(world.kinds)}`).toBe(reads(world, d, u));
            }
          }
        }
      } finally {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('a directory sync cut short', () => {
  it('is finished at the next start: the joiner receives the document, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-resume-'));
    const config = loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' });
    const sync = { tenant: 'school', userId: 'sync', scopes: ['directory:write'] };
    const anne = { tenant: 'school', userId: 'anne', scopes: [] };
    try {
      let app = await compose(config);
      (await app.useCases.syncDirectory(sync, schoolDirectory))._unsafeUnwrap();
      const category = (await app.useCases.createCategory({ ...anne, userId: 'admin' }, 'Minutes'))._unsafeUnwrap().id;
      const checked = (await app.useCases.depositDocument.check(anne, { recipients: { users: [], classes: ['4b'] }, categoryId: category }, undefined))._unsafeUnwrap();
      const id = (await app.useCases.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: bytes(), truncated: () => false }))._unsafeUnwrap().document.id;
      // The process dies right after recording the new directory: Paul joined 4B, nothing followed.
      const moved = { ...schoolDirectory, classes: schoolDirectory.classes.map((c) => (c.id === '4b' ? { ...c, teacherIds: ['marc', 'sophie', 'paul'] } : c)) };
      (await handle(app.deps, directoryDecider, 'school', app.deps.streams.directory('school'), { type: 'SyncDirectory', actorId: 'sync', at: new Date().toISOString(), directory: moved }))._unsafeUnwrap();
      expect((await app.useCases.getDocument({ ...anne, userId: 'paul' }, id)).isOk()).toBe(false);
      await app.close();

      app = await compose(config);
      expect((await app.useCases.resumeDirectorySync('school'))._unsafeUnwrap()).toBe(true);
      expect((await app.useCases.getDocument({ ...anne, userId: 'paul' }, id)).isOk()).toBe(true);
      // Done once: a second start finds nothing left to do.
      expect((await app.useCases.resumeDirectorySync('school'))._unsafeUnwrap()).toBe(false);
      const joined = (await app.deps.events.readAll({ limit: 10_000 }))._unsafeUnwrap().filter((e) => e.type === 'RecipientJoined');
      expect(joined.map((e) => e.data)).toEqual([{ documentId: id, userId: 'paul', via: 'class:4b' }]);
      // Recorded as the service's own doing, not as anyone's.
      expect(joined.map((e) => e.meta.actor)).toEqual(['system:directory-sync']);
      await app.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
