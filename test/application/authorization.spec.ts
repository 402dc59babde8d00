import { fc, test } from '@fast-check/vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import type { Actor } from '../../src/application/deps.js';
import type { Directory } from '../../src/domain/index.js';
import { compose } from '../../src/composition/compose.js';
import { FIXTURE, schoolDirectory } from '../support/fixtures.js';

const TENANTS = ['north', 'south'] as const;
const CHANGING = ['anne', 'paul', 'marc', 'sophie'];
const USERS = [...schoolDirectory.users.map((u) => u.id), 'ghost'];
const RECIPIENTS = ['anne', 'paul', 'marc', 'sophie', 'auditor', 'leo', 'ghost'];

type Standing = 'staff' | 'student' | 'absent';
type Cmd =
  | { kind: 'deposit'; tenant: number; actor: string; users: string[] }
  | { kind: 'add'; doc: number; tenant: number; actor: string; users: string[] }
  | { kind: 'delete'; doc: number; tenant: number; actor: string }
  | { kind: 'remove'; doc: number; tenant: number; actor: string }
  | { kind: 'directory'; tenant: number; user: string; becomes: Standing };

const tenant = fc.integer({ min: 0, max: 1 });
const user = fc.constantFrom(...USERS);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deposit' as const), tenant, actor: fc.constantFrom('anne', 'paul', 'marc', 'leo'), users: fc.subarray(RECIPIENTS, { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), doc: fc.nat(20), tenant, actor: user, users: fc.subarray(RECIPIENTS, { minLength: 1, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), doc: fc.nat(20), tenant, actor: user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), doc: fc.nat(20), tenant, actor: user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('directory' as const), tenant, user: fc.constantFrom(...CHANGING), becomes: fc.constantFrom<Standing>('staff', 'student', 'absent') }) },
);

/** The rules, written from DESIGN §2 and §5, apart from the code: who stands where, who may do what. */
type ModelDoc = { id: string; tenant: string; depositor: string; recipients: Set<string>; removed: Set<string>; deleted: boolean };
type World = { standing: Record<string, Record<string, Standing>>; docs: ModelDoc[] };

const standingOf = (w: World, t: string, u: string): Standing => w.standing[t]![u] ?? (FIXTURE.staff.includes(u) ? 'staff' : FIXTURE.students.includes(u) ? 'student' : 'absent');
const isStaff = (w: World, t: string, u: string) => standingOf(w, t, u) === 'staff';
const mayDeposit = (w: World, t: string, u: string) => isStaff(w, t, u) && FIXTURE.depositors.includes(u);
const mayRead = (w: World, t: string, u: string, d: ModelDoc) =>
  t === d.tenant && !d.deleted && isStaff(w, t, u) && (d.depositor === u || (d.recipients.has(u) && !d.removed.has(u)));
const mayManage = (w: World, t: string, u: string, d: ModelDoc) => t === d.tenant && !d.deleted && isStaff(w, t, u) && d.depositor === u;

const directoryOf = (w: World, t: string): Directory => {
  const users = schoolDirectory.users
    .filter((u) => standingOf(w, t, u.id) !== 'absent')
    .map((u) => ({ ...u, kind: standingOf(w, t, u.id) === 'student' ? ('student' as const) : u.kind === 'student' ? ('teacher' as const) : u.kind }));
  // Teaching teams list staff only, or the directory would be refused.
  const classes = schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((id) => isStaff(w, t, id)) }));
  return { ...schoolDirectory, users, classes };
};

const bytes = async function* () {
  yield new TextEncoder().encode('content');
};

describe('authorization through the use cases and the real adapters', () => {
  test.prop([fc.array(cmd, { minLength: 1, maxLength: 24 })], {
    numRuns: 30,
    // Found in CI: a recipient removes the document, the depositor addresses them again; it is theirs again.
    examples: [
      [
        [
          { kind: 'deposit', tenant: 0, actor: 'anne', users: ['marc'] },
          { kind: 'remove', doc: 0, tenant: 0, actor: 'marc' },
          { kind: 'add', doc: 0, tenant: 0, actor: 'anne', users: ['marc'] },
        ],
      ],
    ],
  })(
    'nobody outside the directory, and nobody but the depositor or a current recipient in the same tenant, ever reads or changes a document',
    async (commands) => {
      const dir = mkdtempSync(join(tmpdir(), 'locker-prop-'));
      const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }));
      const uc = app.useCases;
      const sync = (t: string) => ({ tenant: t, userId: 'sync', scopes: ['directory:write'] });
      const as = (t: string, userId: string): Actor => ({ tenant: t, userId, scopes: [] });
      try {
        const world: World = { standing: { north: {}, south: {} }, docs: [] };
        const categories: Record<string, string> = {};
        for (const t of TENANTS) {
          (await uc.syncDirectory(sync(t), schoolDirectory))._unsafeUnwrap();
          categories[t] = (await uc.createCategory(as(t, 'admin'), 'Minutes'))._unsafeUnwrap().id;
        }
        const eventCount = async () => (await app.deps.events.readAll({ limit: 1_000_000 }))._unsafeUnwrap().length;

        for (const c of commands) {
          const t = TENANTS[c.tenant]!;
          if (c.kind === 'directory') {
            world.standing[t]![c.user] = c.becomes;
            (await uc.syncDirectory(sync(t), directoryOf(world, t)))._unsafeUnwrap();
            continue;
          }
          const before = await eventCount();
          let allowed: boolean;
          let ok: boolean;
          if (c.kind === 'deposit') {
            const recipients = new Set(c.users.filter((u) => u !== c.actor));
            allowed = mayDeposit(world, t, c.actor) && c.users.every((u) => isStaff(world, t, u)) && recipients.size > 0;
            const checked = await uc.depositDocument.check(as(t, c.actor), { recipients: { users: c.users, classes: [] }, categoryId: categories[t]! }, undefined);
            const stored = checked.isOk() ? await uc.depositDocument.store(checked.value, { fileName: 'a.txt', mediaType: 'text/plain', content: bytes(), truncated: () => false }) : undefined;
            ok = stored?.isOk() === true;
            if (ok && allowed) world.docs.push({ id: stored!._unsafeUnwrap().document.id, tenant: t, depositor: c.actor, recipients, removed: new Set(), deleted: false });
          } else {
            const doc = world.docs[c.doc % Math.max(world.docs.length, 1)];
            if (!doc) continue;
            const actor = as(t, c.actor);
            if (c.kind === 'add') {
              allowed = mayManage(world, t, c.actor, doc) && c.users.every((u) => isStaff(world, t, u));
              ok = (await uc.addRecipients(actor, doc.id, { users: c.users, classes: [] })).isOk();
              // Being addressed again by the depositor brings a removed document back (DESIGN §11).
              if (allowed)
                c.users
                  .filter((u) => u !== doc.depositor)
                  .forEach((u) => {
                    doc.recipients.add(u);
                    doc.removed.delete(u);
                  });
            } else if (c.kind === 'delete') {
              allowed = mayManage(world, t, c.actor, doc);
              ok = (await uc.deleteForAll(actor, doc.id)).isOk();
              if (allowed) doc.deleted = true;
            } else {
              allowed = mayRead(world, t, c.actor, doc) && doc.depositor !== c.actor;
              ok = (await uc.removeFromLocker(actor, doc.id)).isOk();
              if (allowed) doc.removed.add(c.actor);
            }
          }
          expect(ok, `${JSON.stringify(c)} in ${JSON.stringify(world.standing)}`).toBe(allowed);
          if (!allowed) expect(await eventCount(), 'a refused command writes nothing').toBe(before);
        }

        for (const doc of world.docs) {
          for (const t of TENANTS) {
            for (const userId of USERS) {
              const may = mayRead(world, t, userId, doc);
              const who = `${userId}@${t} reading ${doc.depositor}'s document`;
              expect((await uc.getDocument(as(t, userId), doc.id)).isOk(), who).toBe(may);
              const download = await uc.downloadDocument(as(t, userId), doc.id, {});
              if (download.isOk()) for await (const _ of download.value.stream);
              expect(download.isOk(), who).toBe(may);
              const locker = await uc.myLocker(as(t, userId), {}, { limit: 100 });
              expect(locker.isOk() && locker.value.items.some((i) => i.id === doc.id), who).toBe(may && doc.depositor !== userId);
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
