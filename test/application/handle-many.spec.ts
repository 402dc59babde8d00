import { err, errAsync, ok, okAsync } from 'neverthrow';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handle, handleEach, handleMany, retryPauseMs } from '../../src/application/handle-command.js';
import type { Decider, DomainEvent } from '../../src/domain/index.js';
import { embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

// A counter per stream, its own small decider: adding more than the stream allows is refused.
type Added = DomainEvent<'Added', { n: number }>;
type Add = { readonly n: number };
const counter: Decider<Add, number, Added, { code: 'INVALID_INPUT'; detail: string }> = {
  initialState: 0,
  evolve: (total, e) => total + e.data.n,
  decide: (total, cmd) => (total + cmd.n > 10 ? err({ code: 'INVALID_INPUT', detail: `over 10 at ${total}` }) : ok(cmd.n === 0 ? [] : [{ type: 'Added', data: { n: cmd.n }, actor: 'a', at: '2026-12-07T00:00:00.000Z' }])),
};

let app: EmbeddedApp;
beforeEach(async () => void (app = await embeddedApp()));
afterEach(async () => app.stop());

const total = async (stream: string) => (await app.deps.events.readStream(stream))._unsafeUnwrap().reduce((sum, e) => sum + (e.data as { n: number }).n, 0);
const deps = () => app.deps;

describe('several commands on their own streams (handleMany)', () => {
  it('all or none: one refusal refuses them all, and nothing is appended, nor is beforeAppend asked', async () => {
    let asked = false;
    const outcome = await handleMany(deps(), counter, 'school', [{ stream: 's-1', command: { n: 3 } }, { stream: 's-2', command: { n: 11 } }], {
      allOrNone: true,
      beforeAppend: () => ((asked = true), okAsync(undefined)),
    });
    expect(outcome._unsafeUnwrapErr()).toEqual({ code: 'INVALID_INPUT', detail: 'over 10 at 0' });
    expect([asked, await total('s-1'), await total('s-2')]).toEqual([false, 0, 0]);
  });

  it('otherwise a refusal is that command’s answer; the others are appended together, in one appendMany, after beforeAppend hears which', async () => {
    const events = app.deps.events as { appendMany: typeof app.deps.events.appendMany };
    const appendMany = events.appendMany.bind(events);
    let calls = 0;
    events.appendMany = (appends) => ((calls += 1), appendMany(appends));
    let appending: readonly number[] = [];
    const outcome = await handleMany(deps(), counter, 'school', [{ stream: 's-1', command: { n: 3 } }, { stream: 's-2', command: { n: 11 } }, { stream: 's-3', command: { n: 0 } }, { stream: 's-4', command: { n: 4 } }], {
      allOrNone: false,
      beforeAppend: (which) => ((appending = which), okAsync(undefined)),
    });
    const answers = outcome._unsafeUnwrap().map((r) => (r.isOk() ? r.value.state : r.error.code));
    expect(answers).toEqual([3, 'INVALID_INPUT', 0, 4]);
    expect([appending, calls, await total('s-1'), await total('s-4')]).toEqual([[0, 3], 1, 3, 4]);
  });

  it('a stream that was not as the caller read it is decided again on what is there, by the one command path', async () => {
    (await handleMany(deps(), counter, 'school', [{ stream: 's-1', command: { n: 8 } }], { allOrNone: true }))._unsafeUnwrap();
    // The caller believes s-1 new: the append fails on its expectation and the command is decided on 8.
    const again = await handleMany(deps(), counter, 'school', [{ stream: 's-1', command: { n: 2 }, known: [] }, { stream: 's-2', command: { n: 1 }, known: [] }], { allOrNone: false });
    expect(again._unsafeUnwrap().map((r) => r._unsafeUnwrap().state)).toEqual([10, 1]);
    const refused = await handleMany(deps(), counter, 'school', [{ stream: 's-1', command: { n: 5 }, known: [] }], { allOrNone: false });
    expect(refused._unsafeUnwrap()[0]!._unsafeUnwrapErr()).toMatchObject({ code: 'INVALID_INPUT', detail: 'over 10 at 10' });
    expect(await total('s-1')).toBe(10);
  });

  it('a decision the caller made on the stream it read is written as made; on a stream that changed, decided again', async () => {
    const added = (n: number): Added => ({ type: 'Added', data: { n }, actor: 'a', at: '2026-12-07T00:00:00.000Z' });
    // Decided by the caller as 7 (not what the command would decide): written as decided.
    const outcome = await handleMany(deps(), counter, 'school', [{ stream: 's-1', command: { n: 2 }, known: [], decided: [added(7)] }], { allOrNone: true });
    expect(outcome._unsafeUnwrap()[0]!._unsafeUnwrap().state).toBe(7);
    expect(await total('s-1')).toBe(7);
    // A decision without the stream it was made on is no decision: the command is decided.
    (await handleMany(deps(), counter, 'school', [{ stream: 's-2', command: { n: 2 }, decided: [added(7)] }], { allOrNone: true }))._unsafeUnwrap();
    expect(await total('s-2')).toBe(2);
    // s-1 holds 7 now; a caller that read it empty: the append fails, the command is decided on 7.
    const again = await handleMany(deps(), counter, 'school', [{ stream: 's-1', command: { n: 3 }, known: [], decided: [added(1)] }], { allOrNone: false });
    expect(again._unsafeUnwrap()[0]!._unsafeUnwrap().state).toBe(10);
  });

  it('beforeAppend failing leaves nothing appended, and is the answer', async () => {
    const outcome = await handleMany(deps(), counter, 'school', [{ stream: 's-1', command: { n: 1 } }], { allOrNone: true, beforeAppend: () => errAsync({ code: 'STORE_UNAVAILABLE', message: 'bytes' }) });
    expect(outcome._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: 'bytes' });
    expect(await total('s-1')).toBe(0);
  });
});

describe('several commands on one stream (handleEach), issue 37', () => {
  it('each decided on what the ones before left, one that decides nothing appends nothing; the answer holds every event, in order', async () => {
    const events = app.deps.events as { append: typeof app.deps.events.append };
    const append = events.append.bind(events);
    const appended: number[] = [];
    events.append = (stream, list, expected) => (appended.push(list.length), append(stream, list, expected));
    const handled = (await handleEach(deps(), counter, 'school', 's-each', [{ n: 2 }, { n: 0 }, { n: 3 }]))._unsafeUnwrap();
    expect(handled.state).toBe(5);
    expect(handled.events.map((e) => e.data.n)).toEqual([2, 3]);
    expect(appended).toEqual([1, 1]);
    expect(await total('s-each')).toBe(5);
    // Refused part-way: what was appended before stays, and the refusal is the answer.
    expect((await handleEach(deps(), counter, 'school', 's-each', [{ n: 4 }, { n: 2 }]))._unsafeUnwrapErr()).toEqual({ code: 'INVALID_INPUT', detail: 'over 10 at 9' });
    expect(await total('s-each')).toBe(9);
  });
});

describe('a command that lost a race waits a little before deciding again (issue 37)', () => {
  it('a random share of 2 ms more an attempt, at most 50 ms', () => {
    expect([0, 1, 10, 24, 25, 199].map((attempt) => retryPauseMs(attempt, 1))).toEqual([2, 4, 22, 50, 50, 50]);
    expect(retryPauseMs(4, 0.5)).toBe(5);
    expect(retryPauseMs(4, 0)).toBe(0);
  });
});

describe('read-your-writes, or not, as asked (issue 37)', () => {
  it('by default the answer waits until this node’s read models hold what was written; asked not to, it does not catch up', async () => {
    const head = async () => (await app.deps.events.readAll({ limit: 1_000_000 }))._unsafeUnwrap().at(-1)!.position;
    const spy = vi.spyOn(app.deps.projector, 'catchUp');
    (await handle(deps(), counter, 'school', 'rw-1', { n: 1 }))._unsafeUnwrap();
    expect(app.deps.readModels.checkpoint()).toBe(await head());
    (await handleMany(deps(), counter, 'school', [{ stream: 'rw-2', command: { n: 1 } }, { stream: 'rw-3', command: { n: 2 } }], { allOrNone: true }))._unsafeUnwrap();
    expect(app.deps.readModels.checkpoint()).toBe(await head());
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockClear();
    (await handle(deps(), counter, 'school', 'rw-1', { n: 1 }, { waitForReadModels: false }))._unsafeUnwrap();
    (await handleMany(deps(), counter, 'school', [{ stream: 'rw-2', command: { n: 1 } }], { allOrNone: true, waitForReadModels: false }))._unsafeUnwrap();
    // Not even when a stream changed meanwhile and its command goes the one command path again.
    (await handleMany(deps(), counter, 'school', [{ stream: 'rw-2', command: { n: 1 }, known: [] }], { allOrNone: true, waitForReadModels: false }))._unsafeUnwrap();
    expect(await total('rw-2')).toBe(3);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
