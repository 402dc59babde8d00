import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { compose, TOKENS } from '../../src/composition/compose.js';
import { startServer } from '../../src/composition/serve.js';
import { schoolDirectory } from '../support/fixtures.js';

const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
const bytes = async function* () {
  yield new TextEncoder().encode('content');
};

describe('the reminder due once an acknowledgement’s date passes', () => {
  it('fires once when dueAt passes, for those who have not acknowledged; what fell due while the server was down fires at its start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-due-'));
    const config = loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'silent', LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' });
    const withClock = (c: Parameters<Parameters<typeof compose>[1] & object>[0]) => c.register(TOKENS.Clock, { useValue: clock });
    const anne = { tenant: 'school', userId: 'anne', scopes: [] };
    try {
      let app = await compose(config, withClock);
      const uc = app.useCases;
      (await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const category = (await uc.createCategory({ ...anne, userId: 'admin' }, 'Minutes'))._unsafeUnwrap().id;
      const deposit = async (dueAt: string) => {
        const checked = (await uc.depositDocument.check(anne, { recipients: { users: ['marc', 'sophie'], classes: [] }, categoryId: category, acknowledgement: { required: true, dueAt } }, undefined))._unsafeUnwrap();
        return (await uc.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: bytes(), truncated: () => false }))._unsafeUnwrap().document;
      };
      const soon = await deposit('2026-12-02T10:00:00.000Z');
      const later = await deposit('2026-12-03T10:00:00.000Z');
      // Marc acknowledges the first: only Sophie is reminded of it.
      const download = (await uc.downloadDocument({ ...anne, userId: 'marc' }, soon.id, {}))._unsafeUnwrap();
      for await (const _ of download.stream);
      (await uc.acknowledgeDocument({ ...anne, userId: 'marc' }, soon.id))._unsafeUnwrap();

      expect((await uc.remindDue())._unsafeUnwrap().reminded).toBe(0);
      clock.at = Date.parse('2026-12-02T10:00:00.000Z');
      expect((await uc.remindDue())._unsafeUnwrap().reminded).toBe(1);
      expect((await uc.remindDue())._unsafeUnwrap().reminded).toBe(0);
      const sent = async () =>
        (await app.deps.events.readAll({ limit: 100_000 }))._unsafeUnwrap().filter((e) => e.type === 'ReminderSent').map((e) => ({ ...(e.data as object), at: e.meta.at }));
      expect(await sent()).toEqual([{ documentId: soon.id, userIds: ['sophie'], reason: 'due', at: '2026-12-02T10:00:00.000Z' }]);
      await app.close();

      // The server was down when the second fell due: its start sends it, once.
      clock.at = Date.parse('2026-12-04T08:00:00.000Z');
      const running = await startServer(config, withClock);
      app = running.app;
      for (let i = 0; i < 50 && (await sent()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await sent()).toEqual([
        { documentId: soon.id, userIds: ['sophie'], reason: 'due', at: '2026-12-02T10:00:00.000Z' },
        { documentId: later.id, userIds: ['marc', 'sophie'], reason: 'due', at: '2026-12-04T08:00:00.000Z' },
      ]);
      await running.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
