import { fc, test } from '@fast-check/vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import type { Actor } from '../../src/application/deps.js';
import { compose } from '../../src/main.js';
import { schoolDirectory } from '../support/harness.js';

const TENANTS = ['north', 'south'] as const;
const USERS = schoolDirectory.users.map((u) => u.id).concat('ghost');
const STAFF = ['anne', 'paul', 'marc', 'sophie', 'admin'];

type Cmd =
  | { kind: 'deposit'; tenant: number; actor: string; users: string[] }
  | { kind: 'add'; doc: number; actor: string; users: string[] }
  | { kind: 'delete'; doc: number; actor: string }
  | { kind: 'remove'; doc: number; actor: string };

const user = fc.constantFrom(...USERS);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deposit' as const), tenant: fc.integer({ min: 0, max: 1 }), actor: fc.constantFrom('anne', 'paul', 'marc'), users: fc.subarray(STAFF, { minLength: 1 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), doc: fc.nat(20), actor: user, users: fc.subarray([...STAFF, 'leo'], { minLength: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), doc: fc.nat(20), actor: user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), doc: fc.nat(20), actor: user }) },
);

type ModelDoc = { id: string; tenant: string; depositor: string; recipients: Set<string>; removed: Set<string>; deleted: boolean };

const bytes = async function* () {
  yield new TextEncoder().encode('content');
};

describe('authorization', () => {
  test.prop([fc.array(cmd, { minLength: 1, maxLength: 20 })], { numRuns: 40 })(
    'no one but a current recipient or the depositor, in the same tenant, ever reads a document that is not deleted',
    async (commands) => {
      const dir = mkdtempSync(join(tmpdir(), 'locker-prop-'));
      const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }));
      const uc = app.useCases;
      try {
        const categories: Record<string, string> = {};
        for (const tenant of TENANTS) {
          (await uc.syncDirectory({ tenant, userId: 'sync', scopes: ['directory:write'] }, schoolDirectory as never))._unsafeUnwrap();
          categories[tenant] = (await uc.createCategory({ tenant, userId: 'admin', scopes: [] }, 'Minutes'))._unsafeUnwrap().id;
        }
        const docs: ModelDoc[] = [];
        const actorIn = (tenant: string, userId: string): Actor => ({ tenant, userId, scopes: [] });

        for (const c of commands) {
          if (c.kind === 'deposit') {
            const tenant = TENANTS[c.tenant]!;
            const checked = await uc.depositDocument.check(actorIn(tenant, c.actor), { recipients: { users: c.users, classes: [] }, categoryId: categories[tenant]! }, undefined);
            if (checked.isErr()) continue;
            const stored = await uc.depositDocument.store(checked.value, { fileName: 'a.txt', mediaType: 'text/plain', content: bytes(), truncated: () => false });
            const doc = stored._unsafeUnwrap().document;
            docs.push({ id: doc.id, tenant, depositor: c.actor, recipients: new Set(c.users.filter((u) => u !== c.actor)), removed: new Set(), deleted: false });
            continue;
          }
          const doc = docs[c.doc % Math.max(docs.length, 1)];
          if (!doc) continue;
          const actor = actorIn(doc.tenant, c.actor);
          if (c.kind === 'add') {
            const r = await uc.addRecipients(actor, doc.id, { users: c.users, classes: [] });
            if (r.isOk()) c.users.filter((u) => u !== doc.depositor).forEach((u) => doc.recipients.add(u));
          } else if (c.kind === 'delete') {
            if ((await uc.deleteForAll(actor, doc.id)).isOk()) doc.deleted = true;
          } else if ((await uc.removeFromLocker(actor, doc.id)).isOk()) {
            doc.removed.add(c.actor);
          }
        }

        for (const doc of docs) {
          for (const tenant of TENANTS) {
            for (const userId of USERS) {
              const mayRead =
                tenant === doc.tenant && !doc.deleted && (doc.depositor === userId || (doc.recipients.has(userId) && !doc.removed.has(userId)));
              const metadata = uc.getDocument(actorIn(tenant, userId), doc.id);
              expect(metadata.isOk(), `${userId}@${tenant} reading ${doc.depositor}'s document`).toBe(mayRead);
              const download = await uc.downloadDocument(actorIn(tenant, userId), doc.id, undefined);
              if (download.isOk()) for await (const _ of download.value.stream);
              expect(download.isOk()).toBe(mayRead);
              const locker = uc.myLocker(actorIn(tenant, userId), {}, { limit: 100 });
              const inLocker = locker.isOk() && locker.value.items.some((i) => i.id === doc.id);
              expect(inLocker).toBe(mayRead && doc.depositor !== userId);
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
