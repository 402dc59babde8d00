import 'reflect-metadata';
import { errAsync } from 'neverthrow';
import { join } from 'node:path';
import { instanceCachingFactory } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shreddingEventStore } from '../../src/adapters/shared/shredding-event-store.js';
import { SqliteEventStore } from '../../src/adapters/sqlite/sqlite-event-store.js';
import type { EventStore, NewEvent } from '../../src/application/ports/event-store.js';
import type { KeyStore } from '../../src/application/ports/key-store.js';
import { directoryParts, type Directory } from '../../src/domain/index.js';
import { TOKENS } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';
import { as, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

/** EventStoreDB's default MaxAppendSize. */
const MAX_APPEND = 1024 * 1024;
const sizeOf = (events: readonly NewEvent[]) => events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.meta)), 0);

/** A store that refuses appends over 1 MiB, as stored (sealed), as EventStoreDB does; it notes the largest it took. */
const capped = (inner: EventStore) => {
  const seen = { largest: 0, appends: [] as { stream: string; bytes: number }[], refuseNext: undefined as string | undefined };
  const store: EventStore = new Proxy(inner, {
    get: (target, key) =>
      key === 'append'
        ? (stream: string, events: readonly NewEvent[], expected: Parameters<EventStore['append']>[2]) => {
            const bytes = sizeOf(events);
            if (bytes > MAX_APPEND || (seen.refuseNext !== undefined && events.some((e) => e.type === seen.refuseNext))) {
              seen.refuseNext = undefined;
              return errAsync({ code: 'APPEND_TOO_LARGE' as const, message: `the event store refuses appends over ${MAX_APPEND} bytes` });
            }
            seen.largest = Math.max(seen.largest, bytes);
            seen.appends.push({ stream, bytes });
            return target.append(stream, events, expected);
          }
        : (Reflect.get(target, key) as unknown),
  });
  return { store, seen };
};

/** 20,000 people, students included: a large secondary school, over five times what one event of 1 MiB holds. */
const large = (people: number, staff: number): Directory => ({
  profiles: schoolDirectory.profiles,
  users: [
    ...schoolDirectory.users,
    ...Array.from({ length: people - schoolDirectory.users.length }, (_, i) => ({
      id: `person-${String(i).padStart(5, '0')}`,
      displayName: `Prénom${i} Nom-De-Famille-${i}`,
      kind: i < staff ? ('teacher' as const) : ('student' as const),
      email: `prenom${i}.nom-de-famille-${i}@college.example.org`,
      profiles: i < staff ? ['p-teacher'] : [],
    })),
  ],
  classes: [...schoolDirectory.classes, ...Array.from({ length: 600 }, (_, i) => ({ id: `c${i}`, name: `Class ${i}`, teacherIds: [`person-${String(i % staff).padStart(5, '0')}`, 'anne'] }))],
});

describe('a directory of 20,000 people (issue 31)', () => {
  let app: EmbeddedApp;
  let seen: ReturnType<typeof capped>['seen'];
  const directory = large(20_000, 1_000);
  const admin = as('s', 'school', ['directory:write']);

  beforeAll(async () => {
    app = await embeddedApp({
      tenants: [],
      overrides: (c) =>
        c.register(TOKENS.Sealed, {
          useFactory: instanceCachingFactory((r) => {
            const limited = capped(new SqliteEventStore(join(r.resolve<{ LOCKER_DATA_DIR: string }>(TOKENS.Config).LOCKER_DATA_DIR, 'events.sqlite')));
            seen = limited.seen;
            return shreddingEventStore(limited.store, r.resolve<KeyStore>(TOKENS.Keys));
          }),
        }),
    });
  }, 120_000);
  afterAll(() => app.stop());

  it('would not fit one event: sealed, the whole directory is refused by the store', async () => {
    expect(directoryParts(directory).length).toBeGreaterThan(5);
    const whole = await app.deps.events.append('school:directory-probe', [{ id: 'probe', type: 'DirectorySynced', data: directory, meta: { actor: 's', at: new Date().toISOString(), tenant: 'school', schemaVersion: 3 } }], 'no-stream');
    expect(whole._unsafeUnwrapErr()).toMatchObject({ code: 'APPEND_TOO_LARGE' });
  });

  it('syncs in parts, each append under 1 MiB, and reads back whole; lockers open for its staff', async () => {
    const report = (await app.useCases.syncDirectory(admin, directory))._unsafeUnwrap();
    expect(report).toMatchObject({ users: 20_000, classes: 602 });
    expect(report.lockersOpened).toHaveLength(1_000 + schoolDirectory.users.filter((u) => u.kind !== 'student').length);
    const directoryAppends = seen.appends.filter((a) => a.stream === 'school:directory');
    expect(directoryAppends.length).toBeGreaterThan(5);
    expect(seen.largest).toBeLessThanOrEqual(MAX_APPEND);
    expect((await app.useCases.readDirectory(admin))._unsafeUnwrap()).toEqual(directory);
    expect(app.deps.readModels.user('school', 'person-19990')).toMatchObject({ displayName: 'Prénom19990 Nom-De-Famille-19990', kind: 'student' });
    expect(app.deps.readModels.lockerHolders('school')).toContain('person-00999');
  }, 120_000);

  it('a sync cut short between its parts changes nothing; the next one goes through, and who left is noted', async () => {
    const smaller: Directory = { ...directory, users: directory.users.filter((u) => u.id !== 'person-00500'), classes: directory.classes.filter((c) => !c.teacherIds.includes('person-00500')) };
    seen.refuseNext = 'DirectoryCommitted';
    expect((await app.useCases.syncDirectory(admin, smaller))._unsafeUnwrapErr()).toMatchObject({ code: 'APPEND_TOO_LARGE' });
    expect((await app.useCases.readDirectory(admin))._unsafeUnwrap()).toEqual(directory);
    expect(app.deps.readModels.user('school', 'person-00500')).toBeDefined();

    const report = (await app.useCases.syncDirectory(admin, smaller))._unsafeUnwrap();
    expect(report.lockersClosed).toEqual(['person-00500']);
    expect((await app.useCases.readDirectory(admin))._unsafeUnwrap()).toEqual(smaller);
    expect(app.deps.readModels.user('school', 'person-00500')).toBeUndefined();
  }, 120_000);
});
