import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPublicEvent, MAX_WEBHOOKS, publicEvent, webhookDecider, type WebhookCommand, type WebhookEvent } from '../../src/domain/index.js';
import { AT, given } from './given.js';

const hooks = (history: WebhookEvent[]) => given(webhookDecider, history);
const registered: WebhookEvent = { type: 'WebhookRegistered', data: { webhookId: 'w1', url: 'https://hooks.example/x', events: ['*'] }, actor: 'admin', at: AT };
const progressed = (upTo: string, actor = 'system:webhooks'): WebhookEvent => ({ type: 'WebhookProgressed', data: { webhookId: 'w1', upTo }, actor, at: AT });
const progress = (upTo: string, actorId = 'system:webhooks'): WebhookCommand => ({ type: 'RecordWebhookProgress', actorId, at: AT, webhookId: 'w1', upTo });

describe('webhook progress (issue 37)', () => {
  it('only goes forward: a mark recorded out of order, or again, changes nothing', () => {
    hooks([registered]).when(progress('10')).then([progressed('10')]);
    hooks([registered, progressed('10')]).when(progress('5')).then([]);
    hooks([registered, progressed('10')]).when(progress('10')).then([]);
    hooks([registered, progressed('10')]).when(progress('11')).then([progressed('11')]);
    // Positions compare as numbers, not text: '9' is before '10'.
    hooks([registered, progressed('10')]).when(progress('9')).then([]);
    hooks([]).when(progress('3')).then([]);
  });

  test.prop([fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 1n << 70n }), fc.constantFrom('node-a', 'node-b')), { maxLength: 30 })])(
    'two nodes recording marks in any order: the recorded mark is always the highest seen, and never moves back',
    (marks) => {
      let state = [registered].reduce(webhookDecider.evolve, webhookDecider.initialState);
      let highest: bigint | undefined;
      for (const [upTo, node] of marks) {
        const events = webhookDecider.decide(state, progress(String(upTo), node))._unsafeUnwrap();
        const forward = highest === undefined || upTo > highest;
        expect(events.length).toBe(forward ? 1 : 0);
        if (forward) highest = upTo;
        state = events.reduce(webhookDecider.evolve, state);
        expect(state.get('w1')!.upTo).toBe(highest === undefined ? null : String(highest));
      }
    },
  );
});

describe('webhooks in the domain (mutation run of 2026-12-06)', () => {
  const register = (webhookId: string, url = 'https://hooks.example/x', events = ['*'], allowedHosts: string[] = []): WebhookCommand => ({ type: 'RegisterWebhook', actorId: 'admin', at: AT, webhookId, url, events, allowedHosts });

  it('registered endpoints are active, with the events asked (each once); registering again changes nothing', () => {
    const state = hooks([]).when(register('w1', 'https://hooks.example/x', ['A', 'A', 'B'])).then([{ ...registered, data: { ...registered.data, events: ['A', 'B'] } }]);
    expect(state.get('w1')).toEqual({ id: 'w1', url: 'https://hooks.example/x', events: ['A', 'B'], active: true, upTo: null });
    hooks([registered]).when(register('w1')).then([]);
  });

  it('at most twenty endpoints, and each names its events', () => {
    const many = Array.from({ length: MAX_WEBHOOKS }, (_, i): WebhookEvent => ({ ...registered, data: { ...registered.data, webhookId: `w${i}` } }));
    hooks(many).when(register('w-new')).thenError('INVALID_WEBHOOK');
    hooks([]).when(register('w1', 'https://hooks.example/x', [])).thenError('INVALID_WEBHOOK');
  });

  it('https, or http to a host the operator allowed; never credentials in the URL, never another scheme', () => {
    expect(checkWebhookUrl('https://hooks.example/x', [])._unsafeUnwrap()).toBe('https://hooks.example/x');
    expect(checkWebhookUrl('http://receiver:8080/x', ['receiver'])._unsafeUnwrap()).toBe('http://receiver:8080/x');
    for (const url of ['http://hooks.example/x', 'ftp://hooks.example/x', 'file:///etc/passwd', 'not a url', 'https://user:pass@hooks.example/x']) expect(checkWebhookUrl(url, []).isErr(), url).toBe(true);
    const reason = (url: string, allowed: string[] = []) => (checkWebhookUrl(url, allowed)._unsafeUnwrapErr() as { reason: string }).reason;
    expect(reason('not a url')).toBe('not a URL');
    for (const url of ['https://user@hooks.example/x', 'https://:pass@hooks.example/x']) expect(reason(url)).toBe('a webhook URL carries no credentials: deliveries are signed');
    expect(reason('http://hooks.example/x')).toBe('only https URLs');
    expect(reason('http://hooks.example/x', ['receiver', 'sink'])).toBe('only https URLs, or http to receiver, sink');
    expect(reason('ftp://receiver/x', ['receiver'])).toBe('only https URLs, or http to receiver');
  });

  it('deleting an unknown endpoint is refused; disabling an inactive one changes nothing', () => {
    hooks([]).when({ type: 'DeleteWebhook', actorId: 'admin', at: AT, webhookId: 'w1' }).thenError('WEBHOOK_NOT_FOUND');
    hooks([registered]).when({ type: 'DeleteWebhook', actorId: 'admin', at: AT, webhookId: 'w1' }).then([{ type: 'WebhookDeleted', data: { webhookId: 'w1' }, actor: 'admin', at: AT }]);
    const disabled: WebhookEvent = { type: 'WebhookDisabled', data: { webhookId: 'w1', reason: 'failing' }, actor: 'system:webhooks', at: AT };
    const state = hooks([registered]).when({ type: 'DisableWebhook', actorId: 'system:webhooks', at: AT, webhookId: 'w1', reason: 'failing' }).then([disabled]);
    expect(state.get('w1')!.active).toBe(false);
    hooks([registered, disabled]).when({ type: 'DisableWebhook', actorId: 'system:webhooks', at: AT, webhookId: 'w1', reason: 'failing' }).then([]);
  });

  it('other services hear of ids, never names; housekeeping and the webhooks\' own records are not theirs', () => {
    expect(isPublicEvent('DocumentDeposited')).toBe(true);
    for (const type of ['EmailSent', 'NotificationsRead', 'CloudLinked', 'WebhookProgressed', 'DirectoryFollowed']) expect(isPublicEvent(type), type).toBe(false);
    const told = publicEvent({ id: 'e1', type: 'DocumentDeposited', tenant: 't', at: AT, actor: 'anne', data: { documentId: 'd1', categoryId: 'c', title: 'Secret', memo: 'private', recipientIds: ['marc', 'sophie'], userId: 'marc', content: { version: 2, fileName: 'x.pdf' } } });
    expect(told).toEqual({ id: 'e1', type: 'DocumentDeposited', tenant: 't', at: AT, actorId: 'anne', documentId: 'd1', categoryId: 'c', version: 2, userIds: ['marc', 'sophie'] });
    expect(publicEvent({ id: 'e2', type: 'CollectionCreated', tenant: 't', at: AT, actor: 'anne', data: { collectionId: 'k', askedIds: ['paul', 7], version: 3 } })).toEqual({ id: 'e2', type: 'CollectionCreated', tenant: 't', at: AT, actorId: 'anne', collectionId: 'k', version: 3, userIds: ['paul'] });
  });
});

describe('what other services are told of an event', () => {
  const told = (data: Record<string, unknown>, type = 'DocumentUpdated') => publicEvent({ id: 'e', type, tenant: 't', at: AT, actor: 'anne', data });

  it('only ids that are strings, each person once; nothing of a field of another shape', () => {
    expect(told({ documentId: 7, collectionId: ['c'], categoryId: null, userIds: 'marc', recipientIds: { marc: true } })).toEqual({ id: 'e', type: 'DocumentUpdated', tenant: 't', at: AT, actorId: 'anne' });
    expect(told({ recipientIds: ['marc', 'paul'], userIds: ['paul', 'sophie'], userId: 'marc' }).userIds).toEqual(['marc', 'paul', 'sophie']);
    expect(told({ documentId: 'd', version: 3 })).toEqual({ id: 'e', type: 'DocumentUpdated', tenant: 't', at: AT, actorId: 'anne', documentId: 'd', version: 3 });
    expect(told({ documentId: 'd', content: { version: 'two' }, version: 4 }).version).toBe(4);
    expect(told({ recipientIds: [] })).not.toHaveProperty('userIds');
    // One person named alone (a recipient joining), and no key at all for what the event lacks.
    expect(told({ documentId: 'd', userId: 'paul' }, 'RecipientJoined')).toStrictEqual({ id: 'e', type: 'RecipientJoined', tenant: 't', at: AT, actorId: 'anne', documentId: 'd', userIds: ['paul'] });
  });
});

describe('registering endpoints, refused', () => {
  it('past twenty, or naming no event type, each with its reason', () => {
    const many = Array.from({ length: MAX_WEBHOOKS }, (_, i): WebhookEvent => ({ type: 'WebhookRegistered', data: { webhookId: `w${i}`, url: 'https://hooks.example/x', events: ['*'] }, actor: 'admin', at: AT }));
    const register = (webhookId: string, events: string[]): WebhookCommand => ({ type: 'RegisterWebhook', actorId: 'admin', at: AT, webhookId, url: 'https://hooks.example/x', events, allowedHosts: [] });
    given(webhookDecider, many).when(register('w-new', ['*'])).thenError('INVALID_WEBHOOK', { reason: 'at most 20 endpoints per school' });
    given(webhookDecider, []).when(register('w1', [])).thenError('INVALID_WEBHOOK', { reason: 'name the event types, or ["*"] for all' });
  });
});
