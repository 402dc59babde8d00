import { ownCpuMs } from './load.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/adapters/config/config.js';
import { envelope } from '../src/application/event-envelope.js';
import type { Directory, DocumentEvent } from '../src/domain/index.js';
import { compose } from '../src/composition/compose.js';

const CLASSES = 200;
const TEACHERS = 80;
/** Documents addressed to each of the two classes the moved teacher leaves and joins: the same in every tenant. */
const HOT_DOCUMENTS = 100;

const directoryWith = (moved: 'a' | 'b'): Directory => {
  const teachers = Array.from({ length: TEACHERS }, (_, i) => `t${i}`);
  return {
    profiles: [{ id: 'p', name: 'Teachers', permissions: ['locker.deposit', 'locker.admin'] }],
    users: [...teachers, 'mover'].map((id) => ({ id, displayName: id, kind: 'teacher' as const, profiles: ['p'] })),
    classes: [
      ...Array.from({ length: CLASSES }, (_, i) => ({ id: `c${i}`, name: `C${i}`, teacherIds: [teachers[i % TEACHERS]!, teachers[(i + 1) % TEACHERS]!] })),
      { id: 'hot-a', name: 'Hot A', teacherIds: moved === 'a' ? ['t0', 'mover'] : ['t0'] },
      { id: 'hot-b', name: 'Hot B', teacherIds: moved === 'b' ? ['t1', 'mover'] : ['t1'] },
    ],
  };
};

/**
 * A tenant of `documents` documents: HOT_DOCUMENTS for each of the two classes the mover moves
 * between, the rest spread over the other classes.
 */
const tenantOf = async (dataDir: string, documents: number) => {
  const app = await compose(loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_LOG_LEVEL: 'silent' }));
  const { deps, useCases: uc } = app;
  const sync = { tenant: 'bench', userId: 'sync', scopes: ['directory:write'] };
  (await uc.syncDirectory(sync, directoryWith('a')))._unsafeUnwrap();
  const category = (await uc.createCategory({ tenant: 'bench', userId: 't5', scopes: [] }, 'Minutes'))._unsafeUnwrap().id;
  const toEnvelope = envelope('bench', deps.ids);
  const currentYear = deps.readModels.settings('bench').currentYear ?? '2026-2027';
  const content = { version: 1, blobKey: `bench/${'a'.repeat(64)}`, sha256: 'a'.repeat(64), sizeBytes: 1000, fileName: 'minutes.pdf', mediaType: 'application/pdf' };
  for (let i = 0; i < documents; i++) {
    const documentId = deps.ids.newId();
    const classId = i < HOT_DOCUMENTS ? 'hot-a' : i < 2 * HOT_DOCUMENTS ? 'hot-b' : `c${i % CLASSES}`;
    const team = directoryWith('a').classes.find((c) => c.id === classId)!.teacherIds.filter((t) => t !== 't5');
    const depositor = 't5';
    const event: DocumentEvent = {
      type: 'DocumentDeposited',
      data: { documentId, year: currentYear, depositorId: depositor, title: `Minutes ${i}`, categoryId: category, memo: null, recipientIds: team, named: [], classes: [{ classId, teacherIds: team }], groups: [], content, source: 'upload' },
      actor: depositor,
      at: new Date(Date.UTC(2026, 8, 1) + i * 1000).toISOString(),
    };
    (await deps.events.append(deps.streams.document('bench', documentId), [toEnvelope(event)], 'no-stream'))._unsafeUnwrap();
  }
  (await deps.projector.catchUp())._unsafeUnwrap();
  return { app, sync };
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Moves one teacher from one class to another and back, three times: the median sync time. */
const moves = async (documents: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-move-'));
  try {
    const { app, sync } = await tenantOf(dir, documents);
    const times: number[] = [];
    const cpu: number[] = [];
    let touched = 0;
    for (let i = 0; i < 3; i++) {
      for (const to of ['b', 'a'] as const) {
        const started = performance.now();
        const cpuBefore = ownCpuMs();
        const report = (await app.useCases.syncDirectory(sync, directoryWith(to)))._unsafeUnwrap();
        times.push(performance.now() - started);
        cpu.push(ownCpuMs() - cpuBefore);
        touched = report.followed.documents;
      }
    }
    await app.close();
    return { documents, documentsTouchedPerMove: touched, medianMs: Number(median(times).toFixed(1)), medianCpuMs: Number(median(cpu).toFixed(1)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/**
 * DESIGN §11: a directory change touches only the documents of the classes and groups that
 * changed. Moving one teacher in a tenant of `large` documents, next to the same move in a tenant
 * of `small`: the ratio says whether the cost follows the tenant's size (it should not).
 */
export const benchDirectoryMove = async (small = 1_000, large = 100_000) => {
  const baseline = await moves(small);
  const measured = await moves(large);
  return {
    figure: 'directory sync moving one teacher between two classes (each with 100 documents)',
    baseline,
    measured,
    ratioLargeToSmall: Number((measured.medianMs / baseline.medianMs).toFixed(3)),
    cpuRatioLargeToSmall: Number((measured.medianCpuMs / baseline.medianCpuMs).toFixed(3)),
    goal: '<= 2',
  };
};
