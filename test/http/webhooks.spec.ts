import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';
import { startReceiver, type Received } from '../support/receiver.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool({ LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOCKER_WEBHOOK_POLL_MS: '50', LOCKER_WEBHOOK_RETRY_BASE_MS: '100', LOCKER_SSE_HEARTBEAT_MS: '200' }));
});
afterAll(async () => h.stop());

/** The Standard Webhooks check, written from the specification: what a receiver does. */
const verify = (secret: string, r: Received) => {
  const id = String(r.headers['webhook-id']);
  const timestamp = String(r.headers['webhook-timestamp']);
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${timestamp}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature']).split(' ').some((s) => s === `v1,${expected}`) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
};
const register = (url: string, events: string[] = ['*'], as = 'admin') => h.request('POST', '/v1/webhooks', { as, json: { url, events } });

describe('webhooks reach public addresses only (ADR 38)', () => {
  it.each(['https://127.0.0.2/', 'https://127.2/', 'https://0x7f000002/', 'https://2130706434/', 'https://[::1]/', 'https://[::ffff:127.0.0.2]/', 'https://localhost/', 'https://10.0.0.1/', 'https://169.254.169.254/', 'https://[fd00::1]/', 'https://100.64.0.1/'])(
    '%s is refused at registration, and nothing is registered',
    async (url) => {
      const before = (await h.request('GET', '/v1/webhooks', { as: 'admin' })).json;
      const r = await register(url);
      expect(r.status, r.text).toBe(422);
      expect(r.json).toMatchObject({ code: 'INVALID_WEBHOOK' });
      expect(r.text).not.toMatch(/127\.0\.0\.|ECONN|::1/);
      expect((await h.request('GET', '/v1/webhooks', { as: 'admin' })).json).toEqual(before);
    },
  );

  it('a test call to an endpoint that is not there says "failed", never the socket error', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.stop();
    const hook = await register(url);
    expect(hook.status, hook.text).toBe(201);
    const tried = await h.request('POST', `/v1/webhooks/${hook.json.id}/test`, { as: 'admin' });
    expect(tried.json).toEqual({ status: null, error: 'failed: the endpoint could not be reached' });
    expect((await h.request('DELETE', `/v1/webhooks/${hook.json.id}`, { as: 'admin' })).status).toBe(204);
  });
});

describe('webhooks', () => {
  it('deliveries arrive signed and verifiable, ids only, in order per document', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await register(receiver.url, ['DocumentDeposited', 'RecipientAdded', 'MemoChanged']);
      expect(hook.status, hook.text).toBe(201);
      expect(hook.json.secret).toMatch(/^whsec_/);
      const doc = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category, title: 'Secret title', memo: 'private memo' })).json;
      await h.request('POST', `/v1/documents/${doc.id}/recipients`, { as: 'anne', json: { users: ['sophie'] } });
      await h.request('PATCH', `/v1/documents/${doc.id}`, { as: 'anne', json: { memo: 'another' } });
      const got = (await receiver.waitFor(3)).map((r) => ({ r, body: JSON.parse(r.body) }));
      const mine = got.filter((g) => g.body.documentId === doc.id);
      expect(mine.map((g) => g.body.type)).toEqual(['DocumentDeposited', 'RecipientAdded', 'MemoChanged']);
      for (const g of mine) expect(verify(hook.json.secret, g.r)).toBe(true);
      expect(verify('whsec_' + randomBytes(24).toString('base64'), mine[0]!.r)).toBe(false);
      expect(mine[0]!.body).toMatchObject({ type: 'DocumentDeposited', tenant: 'school', actorId: 'anne', documentId: doc.id, userIds: ['marc'], categoryId: category });
      expect(mine[0]!.r.body).not.toContain('Secret title');
      expect(mine[0]!.r.body).not.toContain('private memo');
      expect(mine[0]!.r.headers['webhook-id']).toBe(mine[0]!.body.id);
      const deliveries = await h.request('GET', `/v1/webhooks/${hook.json.id}/deliveries`, { as: 'admin' });
      expect(deliveries.json.items.filter((d: { status: string }) => d.status === 'delivered').length).toBeGreaterThanOrEqual(3);
      expect((await h.request('DELETE', `/v1/webhooks/${hook.json.id}`, { as: 'admin' })).status).toBe(204);
    } finally {
      await receiver.stop();
    }
  });

  it('a receiver answering 500 (or a redirect) gets the event once it recovers, and the attempts are shown', async () => {
    const receiver = await startReceiver((n) => (n === 0 ? 500 : n === 1 ? 302 : 200));
    try {
      const hook = (await register(receiver.url, ['DocumentDeposited'])).json;
      const doc = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category })).json;
      const got = await receiver.waitFor(1);
      expect(got.map((r) => JSON.parse(r.body).documentId)).toEqual([doc.id]);
      const [delivery] = (await h.request('GET', `/v1/webhooks/${hook.id}/deliveries`, { as: 'admin' })).json.items;
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
      // Not sent again: a later event is delivered after it, so the dispatcher has run since.
      const next = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category })).json;
      const all = await receiver.waitFor(2);
      expect(all.map((r) => JSON.parse(r.body).documentId)).toEqual([doc.id, next.id]);
      await h.request('DELETE', `/v1/webhooks/${hook.id}`, { as: 'admin' });
    } finally {
      await receiver.stop();
    }
  });

  it('only https, or http to an allowed host; only admins or webhooks:write; a test ping says what the endpoint answered', async () => {
    expect((await register('http://example.org/hooks')).json.code).toBe('INVALID_WEBHOOK');
    expect((await register('file:///etc/passwd')).status).toBe(422);
    expect((await register('https://user:pw@example.org/hooks')).status).toBe(422);
    expect((await register('https://example.org/hooks', ['*'], 'marc')).status).toBe(403);
    const receiver = await startReceiver();
    try {
      const service = await h.request('POST', '/v1/webhooks', { token: await h.token('portal', { scope: 'webhooks:write' }), json: { url: receiver.url, events: ['*'] } });
      expect(service.status).toBe(201);
      const ping = await h.request('POST', `/v1/webhooks/${service.json.id}/test`, { as: 'admin' });
      expect(ping.json).toEqual({ status: 200, error: null });
      expect(JSON.parse(receiver.received[0]!.body).type).toBe('WebhookTest');
      const listed = await h.request('GET', '/v1/webhooks', { as: 'admin' });
      expect(listed.text).not.toContain(service.json.secret);
      await h.request('DELETE', `/v1/webhooks/${service.json.id}`, { as: 'admin' });
    } finally {
      await receiver.stop();
    }
  });
});

/** Reads an SSE stream until `count` events came (or the time is up), then closes it. */
/**
 * Reads `count` events of the stream (and at least `heartbeats` heartbeats); `onOpen` is told once
 * its headers are in (its "now" is fixed by then).
 */
const readStream = async (token: string, lastEventId: string | undefined, count: number, onOpen?: () => void, minHeartbeats = 0) => {
  const abort = new AbortController();
  const res = await fetch(`${h.url}/v1/events/stream`, { headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, signal: abort.signal });
  onOpen?.();
  const events: { id: string; type: string; data: { documentId?: string } }[] = [];
  let heartbeats = 0;
  let buffer = '';
  const timer = setTimeout(() => abort.abort(), 5000);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += new TextDecoder().decode(chunk);
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (block.startsWith(': heartbeat')) heartbeats += 1;
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) events.push({ id, type: /^event: (.*)$/m.exec(block)![1]!, data: JSON.parse(data) });
      }
      if (events.length >= count && heartbeats >= minHeartbeats) break;
    }
  } catch {
    // aborted: time is up
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { status: res.status, type: res.headers.get('content-type'), events, heartbeats };
};

describe('the event stream', () => {
  it('needs the events:read scope', async () => {
    expect((await h.request('GET', '/v1/events/stream', { as: 'admin' })).status).toBe(403);
    expect((await h.request('GET', '/v1/events/stream', { token: await h.token('portal', { scope: 'events:read' }), headers: { 'last-event-id': 'abc' } })).status).toBe(400);
    // Above 2^63-1, or beyond the log's head: an id this stream never gave, refused before the stream opens.
    for (const id of ['9223372036854775808', '99999999999999999999999999', '9223372036854775807']) {
      const r = await h.request('GET', '/v1/events/stream', { token: await h.token('portal', { scope: 'events:read' }), headers: { 'last-event-id': id } });
      expect([r.status, r.json.code]).toEqual([400, 'INVALID_POSITION']);
    }
  });

  it('live events from now; a reconnect with Last-Event-ID misses nothing and repeats nothing', async () => {
    const token = await h.token('portal', { scope: 'events:read' });
    // Deposited once the stream is open, not after a guess at how long opening takes.
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const live = readStream(token, undefined, 2, opened, 1);
    await open;
    const first = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category })).json;
    await h.request('PATCH', `/v1/documents/${first.id}`, { as: 'anne', json: { memo: 'm' } });
    const seen = await live;
    expect(seen.type).toContain('text/event-stream');
    expect(seen.events.map((e) => [e.type, e.data.documentId])).toEqual([['DocumentDeposited', first.id], ['MemoChanged', first.id]]);
    expect(seen.heartbeats).toBeGreaterThanOrEqual(1);

    // While disconnected, more happens; the reconnect picks up right after the last id seen.
    const second = (await h.deposit('anne', { recipients: { users: ['sophie'] }, categoryId: category })).json;
    await h.request('DELETE', `/v1/documents/${second.id}`, { as: 'anne' });
    const resumed = await readStream(token, seen.events[1]!.id, 2);
    expect(resumed.events.map((e) => [e.type, e.data.documentId])).toEqual([['DocumentDeposited', second.id], ['DocumentDeletedForAll', second.id]]);
    expect(BigInt(resumed.events[0]!.id)).toBeGreaterThan(BigInt(seen.events[1]!.id));
  });
});
