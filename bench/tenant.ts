import { loadConfig } from '../src/adapters/config/config.js';
import { envelope } from '../src/application/event-envelope.js';
import type { DocumentEvent } from '../src/domain/index.js';
import { compose } from '../src/composition/compose.js';
import { eventsInLog } from './log-size.js';

export const BENCH_SECRET = 'x'.repeat(40);
export const TEACHERS = 100;
export const teacher = (i: number) => `t${String(i).padStart(3, '0')}`;

/**
 * A large school's tenant: `documents` deposits by one depositor, each to one of `teachers` (100)
 * in turn (so each has documents / teachers in their locker), written straight to the log and projected,
 * as a year of use would leave it.
 */
export const largeTenant = async (dataDir: string, documents: number, teachers = TEACHERS) => {
  const app = await compose(loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_JWT_SECRET: BENCH_SECRET, LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_LOG_LEVEL: 'silent' }));
  const { deps, useCases: uc } = app;
  const directory = {
    profiles: [
      { id: 'p-teacher', name: 'Teachers', permissions: ['locker.deposit'] },
      { id: 'p-admin', name: 'Administration', permissions: ['locker.deposit', 'locker.admin'] },
    ],
    users: [
      { id: 'admin', displayName: 'Claire Principal', kind: 'staff', profiles: ['p-admin'] },
      { id: 'anne', displayName: 'Anne Martin', kind: 'teacher', profiles: ['p-teacher'] },
      ...Array.from({ length: teachers }, (_, i) => ({ id: teacher(i), displayName: `Teacher ${i}`, email: `${teacher(i)}@school.example`, kind: 'teacher', profiles: ['p-teacher'] })),
    ],
    classes: [],
  };
  (await uc.syncDirectory({ tenant: 'bench', userId: 'setup', scopes: ['directory:write'] }, directory as never))._unsafeUnwrap();
  const admin = { tenant: 'bench', userId: 'admin', scopes: [] };
  (await uc.updateSettings(admin, { currentYear: '2026-2027' }))._unsafeUnwrap();
  const category = (await uc.createCategory(admin, 'Minutes'))._unsafeUnwrap().id;
  const toEnvelope = envelope('bench', deps.ids);
  for (let i = 0; i < documents; i++) {
    const documentId = deps.ids.newId();
    const at = new Date(Date.UTC(2026, 8, 1) + i * 60_000).toISOString();
    const recipient = teacher(i % teachers);
    const deposited = {
      type: 'DocumentDeposited',
      data: {
        documentId, year: '2026-2027', depositorId: 'anne', title: `Minutes ${i}`, categoryId: category, memo: null, recipientIds: [recipient], named: [recipient], classes: [], groups: [],
        content: { version: 1, blobKey: `bench/${'a'.repeat(64)}`, sha256: 'a'.repeat(64), sizeBytes: 1000, fileName: 'minutes.pdf', mediaType: 'application/pdf' }, source: 'upload',
      },
      actor: 'anne',
      at,
    } as DocumentEvent;
    (await deps.events.append(deps.streams.document('bench', documentId), [toEnvelope(deposited)], 'no-stream'))._unsafeUnwrap();
  }
  (await deps.projector.catchUp())._unsafeUnwrap();
  await app.close();
  const events = eventsInLog(dataDir, 'bench');
  return { events, documents };
};
