import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { webhookDecider, type WebhookCommand, type WebhookEvent } from '../../src/domain/index.js';
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
