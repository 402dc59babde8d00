import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchWebhookSender } from '../../src/adapters/webhooks/fetch-webhook-sender.js';
import { webhooks, type WebhookOptions } from '../../src/application/use-cases/webhooks.js';
import { TOKENS } from '../../src/composition/compose.js';
import { as, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';
import { catchUpsDuring } from '../support/catch-ups.js';
import { startReceiver } from '../support/receiver.js';

/** Time that moves only when a test says so. */
const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };

const OPTIONS: WebhookOptions = { holder: 'node-a', allowedHosts: ['127.0.0.1'], retryBaseMs: 1000, retryMaxMs: 5000, disableAfterMs: 3_600_000, leaseMs: 30_000, concurrency: 2 };

/** The Standard Webhooks signature a receiver computes from the secret it was given. */
const signature = (secret: string, id: string, timestamp: string, body: string) =>
  `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')}`;

describe('webhooks at the application layer, delivering to a real HTTP receiver', () => {
  let app: EmbeddedApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** What the receiver answers next, per delivery. */
  let answer: (n: number) => number = () => 200;
  const admin = as('admin');
  const service = () => webhooks(app.deps, fetchWebhookSender({ timeoutMs: 2000, allowedHosts: ['127.0.0.1'] }), OPTIONS);

  beforeAll(async () => {
    receiver = await startReceiver((n) => answer(n));
    app = await embeddedApp({ env: { LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }, overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
  });
  afterAll(async () => {
    await app.stop();
    await receiver.stop();
  });
  beforeEach(async () => {
    answer = () => 200;
    // Whoever held a tenant's lease in the test before lets it lapse.
    clock.at += OPTIONS.leaseMs + 1;
    // Each test starts with no endpoint registered.
    const hooks = service();
    for (const w of (await hooks.list(admin))._unsafeUnwrap()) (await hooks.remove(admin, w.id))._unsafeUnwrap();
    receiver.received.length = 0;
  });

  it('only admins and tokens with webhooks:write register; the secret is made in the Standard Webhooks form, or kept as given', async () => {
    const hooks = service();
    expect((await hooks.register(as('anne'), { url: receiver.url, events: ['*'] }))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    expect((await hooks.list(as('anne')))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    const made = (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(made.secret.slice(6), 'base64')).toHaveLength(32);
    expect(made).toMatchObject({ url: receiver.url, events: ['CategoryCreated'], active: true, registeredAt: clock.now() });
    const given = (await hooks.register(as('svc', 'school', ['webhooks:write']), { url: receiver.url, events: ['*'], secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0' }))._unsafeUnwrap();
    expect(given.secret).toBe('whsec_c2VjcmV0c2VjcmV0c2VjcmV0');
    expect((await hooks.list(admin))._unsafeUnwrap().map((w) => w.id).sort()).toEqual([made.id, given.id].sort());
    // Another tenant sees none of them.
    expect((await hooks.list(as('admin', 'other', ['webhooks:write'])))._unsafeUnwrap()).toEqual([]);
  });

  it('a server without a secrets key (hosted mode without LOCKER_SECRETS_KEY) cannot keep signing secrets, and says so', async () => {
    // The embedded default generates one into its data folder: no credentials is the hosted case.
    const plain = await embeddedApp();
    try {
      const hooks = webhooks({ ...plain.deps, credentials: null }, fetchWebhookSender({ timeoutMs: 2000, allowedHosts: ['127.0.0.1'] }), OPTIONS);
      expect((await hooks.register(as('admin'), { url: receiver.url, events: ['*'] }))._unsafeUnwrapErr()).toEqual({
        code: 'INVALID_WEBHOOK',
        reason: 'the server has no LOCKER_SECRETS_KEY to keep signing secrets with',
      });
    } finally {
      await plain.stop();
    }
  });

  it('a test ping is signed with the endpoint’s secret and says what the endpoint answered', async () => {
    const hooks = service();
    const hook = (await hooks.register(admin, { url: receiver.url, events: ['*'] }))._unsafeUnwrap();
    expect((await hooks.test(admin, hook.id))._unsafeUnwrap()).toEqual({ status: 200, error: null });
    const [ping] = receiver.received;
    const headers = ping!.headers as Record<string, string>;
    expect(headers['webhook-id']).toMatch(/^test-/);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(clock.at / 1000)));
    expect(headers['webhook-signature']).toBe(signature(hook.secret, headers['webhook-id']!, headers['webhook-timestamp']!, ping!.body));
    expect(JSON.parse(ping!.body)).toEqual({ id: headers['webhook-id'], type: 'WebhookTest', tenant: 'school', at: clock.now(), actorId: 'admin' });
    answer = () => 503;
    expect((await hooks.test(admin, hook.id))._unsafeUnwrap()).toEqual({ status: 503, error: 'the endpoint answered 503' });
    expect((await hooks.test(admin, 'no-such-hook'))._unsafeUnwrapErr()).toEqual({ code: 'WEBHOOK_NOT_FOUND', webhookId: 'no-such-hook' });
    expect((await hooks.deliveries(admin, 'no-such-hook', { limit: 10 }))._unsafeUnwrapErr()).toEqual({ code: 'WEBHOOK_NOT_FOUND', webhookId: 'no-such-hook' });
  });

  it('deliveries: the types asked for, in order, signed; each one marked delivered with its answer', async () => {
    const hooks = service();
    const hook = (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    const first = (await app.useCases.createCategory(admin, 'First'))._unsafeUnwrap().id;
    const second = (await app.useCases.createCategory(admin, 'Second'))._unsafeUnwrap().id;
    (await app.useCases.updateSettings(admin, { maxDocumentBytes: 1_000_000 }))._unsafeUnwrap();
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 2, failed: 0, disabled: 0 });
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as { type: string; categoryId: string });
    expect(bodies.map((b) => [b.type, b.categoryId])).toEqual([
      ['CategoryCreated', first],
      ['CategoryCreated', second],
    ]);
    for (const r of receiver.received) {
      const h = r.headers as Record<string, string>;
      expect(h['webhook-signature']).toBe(signature(hook.secret, h['webhook-id']!, h['webhook-timestamp']!, r.body));
    }
    const deliveries = (await hooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items;
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries) expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, lastError: null, deliveredAt: clock.now(), nextAttemptAt: null });
    // Nothing more to send.
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 0, disabled: 0 });
    // How far the endpoint got is in the log, for a rebuild to start from.
    const recorded = (await hooks.recorded('school'))._unsafeUnwrap().get(hook.id)!;
    expect(BigInt(recorded.upTo!)).toBe(BigInt(deliveries.map((d) => d.position).sort().at(-1)!));
  });

  it('a failure stops its stream and waits base × 2^(n−1), at most the maximum; the delivery then goes on', async () => {
    const hooks = service();
    const hook = (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Retried A'))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Retried B'))._unsafeUnwrap();
    answer = () => 500;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 1, disabled: 0 });
      const head = (await hooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items.find((d) => d.attempts > 0)!;
      expect(head).toMatchObject({ status: 'pending', attempts: attempt, lastStatus: 500, lastError: 'the endpoint answered 500', firstFailedAt: expect.any(String) });
      waits.push(Date.parse(head.nextAttemptAt!) - clock.at);
      // Not due yet: nothing is tried.
      expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 0, disabled: 0 });
      clock.at += waits.at(-1)!;
    }
    expect(waits).toEqual([1000, 2000, 4000, 5000]);
    answer = () => 204;
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 2, failed: 0, disabled: 0 });
    expect((await hooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items.every((d) => d.status === 'delivered')).toBe(true);
  });

  it('an endpoint failing longer than allowed is disabled, its pending deliveries abandoned', async () => {
    const hooks = service();
    const hook = (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Never delivered'))._unsafeUnwrap();
    answer = () => 500;
    const firstFailure = clock.at;
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 1, disabled: 0 });
    // The second attempt waits 2 s more: it falls due exactly when the endpoint has failed for as long as allowed.
    clock.at = firstFailure + OPTIONS.disableAfterMs - 2 * OPTIONS.retryBaseMs;
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 1, disabled: 0 });
    clock.at = firstFailure + OPTIONS.disableAfterMs - 1;
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 0, disabled: 0 });
    // Failing for exactly as long as allowed is enough.
    clock.at = firstFailure + OPTIONS.disableAfterMs;
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 1, disabled: 1 });
    expect((await hooks.list(admin))._unsafeUnwrap().find((w) => w.id === hook.id)!.active).toBe(false);
    expect((await hooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items[0]!.status).toBe('abandoned');
    // The log says why: since when it failed, and its last answer.
    const disabled = (await app.deps.events.readStream(app.deps.streams.webhooks('school')))._unsafeUnwrap().filter((e) => e.type === 'WebhookDisabled').at(-1)!;
    expect(disabled.data).toEqual({ webhookId: hook.id, reason: `failing since ${new Date(firstFailure).toISOString()}: the endpoint answered 500` });
  });

  it('only a 2xx answer is a delivery: 299 is, 300 is not (and says so), whatever redirect it offers', async () => {
    const hooks = service();
    const hook = (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Answered 300'))._unsafeUnwrap();
    answer = () => 300;
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 1, disabled: 0 });
    expect((await hooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items[0]).toMatchObject({ status: 'pending', lastStatus: 300, lastError: 'the endpoint answered 300' });
    answer = () => 299;
    clock.at += OPTIONS.retryMaxMs;
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 1, failed: 0, disabled: 0 });
    expect((await hooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items[0]).toMatchObject({ status: 'delivered', lastStatus: 299, lastError: null });
    expect((await hooks.test(admin, hook.id))._unsafeUnwrap()).toEqual({ status: 299, error: null });
  });

  it('progress is recorded once nothing is pending, and at most once a minute while deliveries wait', async () => {
    const hooks = service();
    const hook = (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    const progressed = async () => (await app.deps.events.readStream(app.deps.streams.webhooks('school')))._unsafeUnwrap().filter((e) => e.type === 'WebhookProgressed' && (e.data as { webhookId: string }).webhookId === hook.id).length;
    (await app.useCases.createCategory(admin, 'Progress one'))._unsafeUnwrap();
    expect((await hooks.tick())._unsafeUnwrap().delivered).toBe(1);
    expect(await progressed()).toBe(1);
    // One delivered, the next failing (so pending): within the minute nothing is recorded, after it the progress is.
    (await app.useCases.createCategory(admin, 'Progress two'))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Progress three'))._unsafeUnwrap();
    let n = 0;
    answer = () => (n++ === 0 ? 200 : 500);
    (await hooks.tick())._unsafeUnwrap();
    expect(await progressed()).toBe(1);
    clock.at += 60_000;
    n = 1;
    (await hooks.tick())._unsafeUnwrap();
    expect(await progressed()).toBe(2);
  });

  it('one endpoint or three: delivering, recording progress and disabling catch the read models up as often (issue 37)', async () => {
    const catchUps = <T>(work: () => Promise<T>) => catchUpsDuring(app.deps.projector, work);
    // Disabled at the first failure.
    const hooks = webhooks(app.deps, fetchWebhookSender({ timeoutMs: 2000, allowedHosts: ['127.0.0.1'] }), { ...OPTIONS, disableAfterMs: 0 });
    const round = async (n: number) => {
      const registered = [];
      for (let i = 0; i < n; i += 1) registered.push((await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap());
      answer = () => 200;
      (await app.useCases.createCategory(admin, `Delivered to ${n}`))._unsafeUnwrap();
      const delivered = await catchUps(async () => (await hooks.tick())._unsafeUnwrap());
      const recorded = (await hooks.recorded('school'))._unsafeUnwrap();
      expect(registered.map((w) => recorded.get(w.id)?.upTo ?? null).every((upTo) => upTo !== null)).toBe(true);
      answer = () => 500;
      (await app.useCases.createCategory(admin, `Refused by ${n}`))._unsafeUnwrap();
      const disabled = await catchUps(async () => (await hooks.tick())._unsafeUnwrap());
      for (const w of registered) (await hooks.remove(admin, w.id))._unsafeUnwrap();
      return { delivered, disabled };
    };
    const one = await round(1);
    clock.at += OPTIONS.leaseMs + 1;
    const three = await round(3);
    expect([one.delivered.value.delivered, one.disabled.value.disabled, three.delivered.value.delivered, three.disabled.value.disabled]).toEqual([1, 1, 3, 3]);
    expect([three.delivered.count, three.disabled.count]).toEqual([one.delivered.count, one.disabled.count]);
  });

  it('an endpoint nobody listens on: the delivery fails with the sender’s reason and no status, and waits its retry (issue 37)', async () => {
    const hooks = service();
    const hook = (await hooks.register(admin, { url: 'http://127.0.0.1:9/hooks', events: ['CategoryCreated'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Nobody listens'))._unsafeUnwrap();
    expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 1, disabled: 0 });
    const [delivery] = (await hooks.deliveries(admin, hook.id, { limit: 10 }))._unsafeUnwrap().items;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: expect.any(String), nextAttemptAt: new Date(clock.at + OPTIONS.retryBaseMs).toISOString() });
    expect(delivery!.lastError).not.toBe('');
    expect((await hooks.test(admin, hook.id))._unsafeUnwrap()).toEqual({ status: null, error: delivery!.lastError });
  });

  it('an address the sender refuses (an internal one) is refused before anything is registered (issue 37)', async () => {
    const hooks = service();
    const before = (await app.deps.events.readStream(app.deps.streams.webhooks('school')))._unsafeUnwrap().length;
    expect((await hooks.register(admin, { url: 'https://10.0.0.1/hooks', events: ['*'] }))._unsafeUnwrapErr()).toMatchObject({ code: 'INVALID_WEBHOOK' });
    expect((await app.deps.events.readStream(app.deps.streams.webhooks('school')))._unsafeUnwrap()).toHaveLength(before);
    expect((await hooks.list(admin))._unsafeUnwrap()).toEqual([]);
  });

  it('the once-a-minute rule is each endpoint’s own: two endpoints waiting on deliveries both record their progress (issue 37)', async () => {
    const hooks = service();
    const a = (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    const b = (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Each one'))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Each two'))._unsafeUnwrap();
    // Each endpoint gets the first and fails the second: both wait, both have progress to record.
    // The first request of each endpoint's chain comes before its second: the first two are both firsts.
    const seen = new Map<string, number>();
    let k = 0;
    answer = () => (k++ < 2 ? 200 : 500);
    (await hooks.tick())._unsafeUnwrap();
    const progressed = (await app.deps.events.readStream(app.deps.streams.webhooks('school')))._unsafeUnwrap().filter((e) => e.type === 'WebhookProgressed').map((e) => (e.data as { webhookId: string }).webhookId);
    for (const id of progressed) seen.set(id, (seen.get(id) ?? 0) + 1);
    expect([seen.get(a.id), seen.get(b.id)]).toEqual([1, 1]);
  });

  it('a stopping server waits for the deliveries under way (issue 37)', async () => {
    const hooks = service();
    (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Delivered while stopping'))._unsafeUnwrap();
    let over = false;
    void hooks.tick().then(() => (over = true));
    await hooks.settled();
    expect(over).toBe(true);
  });

  it('a school being imported gets no delivery, and none of its streams a lease, until the import is finished (ADR 54)', async () => {
    const hooks = service();
    (await hooks.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'While moving'))._unsafeUnwrap();
    (await app.useCases.schoolMoves.started('school'))._unsafeUnwrap();
    const lease = async () => (await app.deps.events.readStream(app.deps.streams.webhookLease('school')))._unsafeUnwrap().length;
    const leases = await lease();
    try {
      expect((await hooks.tick())._unsafeUnwrap()).toEqual({ delivered: 0, failed: 0, disabled: 0 });
      expect(await lease()).toBe(leases);
    } finally {
      (await app.useCases.schoolMoves.finished('school'))._unsafeUnwrap();
    }
    expect((await hooks.tick())._unsafeUnwrap().delivered).toBe(1);
  });

  it('with two nodes, only the holder of the tenant’s lease delivers', async () => {
    const a = service();
    const b = webhooks(app.deps, fetchWebhookSender({ timeoutMs: 2000, allowedHosts: ['127.0.0.1'] }), { ...OPTIONS, holder: 'node-b' });
    (await a.register(admin, { url: receiver.url, events: ['CategoryCreated'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Leased one'))._unsafeUnwrap();
    expect((await a.tick())._unsafeUnwrap().delivered).toBe(1);
    (await app.useCases.createCategory(admin, 'Leased two'))._unsafeUnwrap();
    expect((await b.tick())._unsafeUnwrap().delivered).toBe(0);
    clock.at += OPTIONS.leaseMs + 1;
    expect((await b.tick())._unsafeUnwrap().delivered).toBe(1);
  });

  it('calls to tick while one runs share it; a removed endpoint gets nothing and loses its secret', async () => {
    const hooks = service();
    const hook = (await hooks.register(admin, { url: receiver.url, events: ['*'] }))._unsafeUnwrap();
    (await app.useCases.createCategory(admin, 'Shared tick'))._unsafeUnwrap();
    const [x, y] = [hooks.tick(), hooks.tick()];
    expect(x).toBe(y);
    expect((await x)._unsafeUnwrap().delivered).toBeGreaterThanOrEqual(1);
    await hooks.settled();
    (await hooks.remove(admin, hook.id))._unsafeUnwrap();
    // Gone from the list as soon as the removal answers.
    expect((await hooks.list(admin))._unsafeUnwrap().map((w) => w.id)).not.toContain(hook.id);
    expect((await hooks.test(admin, hook.id))._unsafeUnwrapErr()).toEqual({ code: 'WEBHOOK_NOT_FOUND', webhookId: hook.id });
    (await app.useCases.createCategory(admin, 'After removal'))._unsafeUnwrap();
    expect((await hooks.tick())._unsafeUnwrap().delivered).toBe(0);
  });
});
