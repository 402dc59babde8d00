import { fc, test } from '@fast-check/vitest';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResultAsync } from 'neverthrow';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { presentEvent } from '../../src/adapters/shared/present-event.js';
import { verifyChains } from '../../src/adapters/shared/verify-chains.js';
import { scanLog } from '../../src/application/read-log.js';
import { SYSTEM_SCOPE } from '../../src/application/use-cases/rollover.js';
import type { Directory } from '../../src/domain/index.js';
import { TOKENS } from '../../src/composition/compose.js';
import { startReceiver } from '../support/receiver.js';
import { as, embeddedApp, textFile, type EmbeddedApp } from '../support/embedded-app.js';
import { schoolDirectory } from '../support/fixtures.js';

/**
 * Tenants are walls (issue 30): three schools in one composed application share every user id,
 * class id, category name and title. Whatever one of them does (directory syncs and removals,
 * deposits, removals from a locker, erasures, retention, webhooks, clouds, rollovers), nothing
 * another school reads changes: every person's listings, the audit, the export, the event stream's
 * frames, the settings, webhooks, erasures and clouds. And every school's audit chain verifies.
 */
const TENANTS = ['alpha', 'beta', 'gamma'] as const;
type Tenant = (typeof TENANTS)[number];
const PEOPLE = ['admin', 'anne', 'paul', 'marc', 'sophie'];
const withoutSophie: Directory = {
  ...schoolDirectory,
  users: schoolDirectory.users.filter((u) => u.id !== 'sophie'),
  classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'sophie') })),
};

type Op =
  | { kind: 'deposit'; by: 'anne' | 'paul'; users: string[]; classes: string[] }
  | { kind: 'removeFromLocker'; who: 'marc' | 'sophie' }
  | { kind: 'sync'; sophie: boolean }
  | { kind: 'erase' }
  | { kind: 'retention' }
  | { kind: 'webhook' }
  | { kind: 'cloud' }
  | { kind: 'rollover' }
  | { kind: 'readNotifications' };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deposit' as const), by: fc.constantFrom('anne' as const, 'paul' as const), users: fc.subarray(['marc', 'sophie', 'paul']), classes: fc.subarray(['3a', '4b']) }) },
  fc.record({ kind: fc.constant('removeFromLocker' as const), who: fc.constantFrom('marc' as const, 'sophie' as const) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), sophie: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'erase' as const }) },
  fc.constant({ kind: 'retention' as const }),
  fc.constant({ kind: 'webhook' as const }),
  fc.constant({ kind: 'cloud' as const }),
  fc.constant({ kind: 'rollover' as const }),
  fc.constant({ kind: 'readNotifications' as const }),
);

/** A WebDAV server that accepts anyone: the clouds' check is one PROPFIND of the root. */
const davStub = async (): Promise<Server> => {
  const server = createServer((req, res) => {
    res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' });
    res.end(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`);
    req.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
};

describe('tenant isolation, by property', () => {
  /** How many times each kind of operation went through, over every run: a property of refusals only would prove nothing. */
  const succeeded = new Map<string, number>();
  let dav: Server;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    dav = await davStub();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    expect([...succeeded.keys()].sort()).toEqual(['cloud', 'deposit', 'erase', 'readNotifications', 'removeFromLocker', 'retention', 'rollover', 'sync', 'webhook']);
    await new Promise((r) => dav.close(r));
    await receiver.stop();
  });

  const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
  const settle = async <T, E>(r: ResultAsync<T, E>): Promise<{ ok: T } | { err: E }> => {
    const done = await r;
    return done.isOk() ? { ok: done.value } : { err: done.error };
  };

  /** Everything a school reads, as text: a change anywhere shows. */
  const snapshot = async (app: EmbeddedApp, t: Tenant): Promise<Record<string, string>> => {
    const uc = app.useCases;
    const out: Record<string, string> = {};
    for (const p of PEOPLE) {
      out[`locker ${p}`] = json(await settle(uc.myLocker(as(p, t), {}, { limit: 500 })));
      out[`removed ${p}`] = json(await settle(uc.myLocker(as(p, t), { removed: true }, { limit: 500 })));
      out[`distribution ${p}`] = json(await settle(uc.myDistribution(as(p, t), undefined, { limit: 500 })));
      out[`notifications ${p}`] = json(await settle(uc.myNotifications(as(p, t), { limit: 500 })));
      out[`unread ${p}`] = json(await settle(uc.unreadNotificationCount(as(p, t))));
      out[`clouds ${p}`] = json(await settle(uc.clouds.list(as(p, t))));
    }
    out['audit'] = json(await settle(uc.auditEvents(as('auditor', t), undefined, 10_000)));
    const exported: unknown[] = [];
    (await scanLog(app.deps.events, { tenant: t }, (e) => void exported.push(presentEvent(e))))._unsafeUnwrap();
    out['export'] = json(exported);
    out['stream'] = json(await settle(uc.eventStream.read(as('portal', t, ['events:read']), 0n, 10_000)));
    out['settings'] = json(await settle(uc.getSettings(as('admin', t))));
    out['categories'] = json(await settle(uc.listCategories(as('admin', t), true)));
    out['erasures'] = json(await settle(uc.erasures.list(as('admin', t), { limit: 500 })));
    const hooks = await settle(app.webhooks.list(as('admin', t)));
    out['webhooks'] = json(hooks);
    // Which events each endpoint is to get; not their delivery state, which the dispatcher (every
    // school's at once, by design) moves on its own clock.
    if ('ok' in hooks)
      for (const h of hooks.ok as { id: string }[])
        out[`deliveries ${h.id}`] = json(((await app.webhooks.deliveries(as('admin', t), h.id, { limit: 10_000 }))._unsafeUnwrap().items).map((d) => d.eventId).sort());
    return out;
  };

  /** One run that takes every kind of step for certain (random runs may miss one): the check in afterAll then never depends on luck. */
  const everyKind: [Tenant, Op][] = [
    ['alpha', { kind: 'deposit', by: 'anne', users: ['marc', 'sophie'], classes: ['4b'] }],
    ['beta', { kind: 'deposit', by: 'anne', users: ['marc'], classes: [] }],
    ['alpha', { kind: 'removeFromLocker', who: 'marc' }],
    ['gamma', { kind: 'sync', sophie: false }],
    ['beta', { kind: 'erase' }],
    ['alpha', { kind: 'retention' }],
    ['gamma', { kind: 'webhook' }],
    ['beta', { kind: 'cloud' }],
    ['alpha', { kind: 'rollover' }],
    ['beta', { kind: 'readNotifications' }],
    ['gamma', { kind: 'sync', sophie: true }],
  ];
  test.prop([fc.array(fc.tuple(fc.constantFrom(...TENANTS), op), { minLength: 4, maxLength: 14 })], { numRuns: 20, endOnFailure: true, examples: [[everyKind]] })(
    'nothing one school does changes what another reads, and every school\'s history verifies',
    async (steps) => {
      const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
      const app = await embeddedApp({
        tenants: [],
        env: { LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
        overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }),
      });
      try {
        const category = new Map<Tenant, string>();
        // Every school synced within the same minute, so a key cache without the tenant would share keys.
        for (const t of TENANTS) {
          (await app.useCases.syncDirectory(as('s', t, ['directory:write']), schoolDirectory))._unsafeUnwrap();
          category.set(t, (await app.useCases.createCategory(as('admin', t), 'Minutes'))._unsafeUnwrap().id);
        }
        const docs = new Map<Tenant, string[]>(TENANTS.map((t) => [t, []]));
        /** The model: whether Sophie was erased in each school, and came back to its directory since. */
        const erasedIn = new Map<Tenant, 'erased' | 'rejoined'>();
        const run = async (t: Tenant, o: Op): Promise<void> => {
          const done = (r: { isOk(): boolean }) => void (r.isOk() && succeeded.set(o.kind, (succeeded.get(o.kind) ?? 0) + 1));
          const uc = app.useCases;
          switch (o.kind) {
            case 'deposit': {
              const checked = await uc.depositDocument.check(as(o.by, t), { recipients: { users: o.users, classes: o.classes }, categoryId: category.get(t)!, title: 'Council minutes', memo: 'Same title everywhere' }, undefined);
              if (checked.isErr()) return;
              const stored = await uc.depositDocument.store(checked.value, textFile('the same bytes', false, 'minutes.txt'));
              if (stored.isOk()) docs.get(t)!.push(stored.value.document.id);
              return done(stored);
            }
            case 'removeFromLocker':
              for (const id of docs.get(t)!) done(await uc.removeFromLocker(as(o.who, t), id));
              return;
            case 'sync':
              const synced = await uc.syncDirectory(as('s', t, ['directory:write']), o.sophie ? schoolDirectory : withoutSophie);
              // Back in the directory after her erasure: a new key seals her name from then on.
              if (synced.isOk() && o.sophie && erasedIn.get(t) === 'erased') erasedIn.set(t, 'rejoined');
              return done(synced);
            case 'erase':
              // She leaves this school's directory, then is erased there: same id in the others.
              await uc.syncDirectory(as('s', t, ['directory:write']), withoutSophie);
              const erased = await uc.erasures.erase(as('admin', t), 'sophie');
              if (erased.isOk()) erasedIn.set(t, 'erased');
              return done(erased);
            case 'retention':
              await uc.setCategoryRetention(as('admin', t), category.get(t)!, 1);
              clock.at += 2 * 24 * 3600_000;
              return done(await uc.applyRetention({ tenant: t }));
            case 'webhook': {
              const hook = await app.webhooks.register(as('admin', t), { url: receiver.url, events: ['*'] });
              if (hook.isOk()) await app.webhooks.tick();
              return done(hook);
            }
            case 'cloud': {
              const url = `http://127.0.0.1:${(dav.address() as AddressInfo).port}/`;
              await uc.updateSettings(as('admin', t), { clouds: [{ id: 'nuage', kind: 'webdav', name: 'Nuage', url }] });
              return done(await uc.clouds.link(as('anne', t), { cloudId: 'nuage', username: 'anne', password: `secret of ${t}` }));
            }
            case 'rollover': {
              const year = (await uc.getSettings(as('admin', t)))._unsafeUnwrap().currentYear;
              const next = `${Number(year.slice(0, 4)) + 1}-${String(Number(year.slice(5)) + 1).padStart(2, '0')}`;
              return done(await uc.rollover(as('system', t, [SYSTEM_SCOPE]), { from: year, to: next, dryRun: false }));
            }
            case 'readNotifications':
              return done(await uc.markNotificationsRead(as('marc', t), { all: true }));
          }
        };
        for (const [t, o] of steps) {
          const others = TENANTS.filter((u) => u !== t);
          // The dispatcher serves every school at once (it records each school's progress in that
          // school's log): what it owes the others is done first, so what follows is the step's alone.
          await app.webhooks.tick();
          const before = await Promise.all(others.map((u) => snapshot(app, u)));
          await run(t, o);
          const after = await Promise.all(others.map((u) => snapshot(app, u)));
          others.forEach((u, i) => {
            for (const key of Object.keys(before[i]!)) expect(after[i]![key], `${t} ${o.kind} changed ${u}'s ${key}`).toBe(before[i]![key]);
          });
        }
        // And each school reads its own people as it should: Sophie erased only where she was.
        for (const t of TENANTS) {
          const synced = (await app.useCases.auditEvents(as('auditor', t), undefined, 10_000, { type: 'DirectorySynced' }))._unsafeUnwrap().events;
          const names = synced.flatMap((e) => (e.data as { users: { id: string; displayName: string }[] }).users.filter((u) => u.id === 'sophie' || u.id === 'anne').map((u) => `${u.id}:${u.displayName}`));
          const sophie = { never: ['sophie:Sophie Leroy'], erased: ['sophie:[erased]'], rejoined: ['sophie:[erased]', 'sophie:Sophie Leroy'] }[erasedIn.get(t) ?? 'never'];
          expect(new Set(names), `${t}'s people`).toEqual(new Set(['anne:Anne Martin', ...sophie]));
        }
        for (const t of TENANTS) {
          const verified = (await verifyChains(app.deps.events, { tenant: t }))._unsafeUnwrap();
          expect(verified.broken, `${t}'s chain`).toBeNull();
          expect(verified.eventsChecked, `${t}'s events`).toBeGreaterThan(0);
        }
      } finally {
        await app.stop();
      }
    },
    120_000,
  );
});
