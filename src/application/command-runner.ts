import { err, errAsync, ok, okAsync, ResultAsync, type Result } from 'neverthrow';
import type { DomainEvent } from '../domain/index.js';
import type { UseCaseError } from './errors.js';
import { envelope, toDomain } from './event-envelope.js';
import type { EventStore, ExpectedVersion, StoreError } from './ports/event-store.js';
import type { IdGenerator } from './ports/id-generator.js';
import type { Projector } from './projector.js';

const MAX_ATTEMPTS = 200;

const pause = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 + attempt * 2)));

export type Aggregate<State, Event> = { readonly initial: State; readonly evolve: (state: State, event: Event) => State };

export type Decision<Event, Value> = { readonly events: Event[]; readonly value: Value };

/**
 * Load a stream, fold it, decide, append with the revision it was read at. Another writer in
 * between makes the append fail on its expected version, and the whole cycle runs again on the new
 * state: that is how concurrent commands on one document all land, each decided on what is true.
 */
export const decideAndAppend = <State, Event extends DomainEvent<string, unknown>, Value, E extends UseCaseError>(
  deps: { events: EventStore; ids: IdGenerator },
  tenant: string,
  stream: string,
  aggregate: Aggregate<State, Event>,
  decide: (state: State) => Result<Decision<Event, Value>, E> | ResultAsync<Decision<Event, Value>, E>,
): ResultAsync<Value, E | StoreError | UseCaseError> => {
  const attempt = (n: number): ResultAsync<Value, E | StoreError | UseCaseError> =>
    deps.events.readStream(stream).andThen((recorded) => {
      const state = recorded.map((r) => toDomain<Event>(r)).reduce(aggregate.evolve, aggregate.initial);
      const expected: ExpectedVersion = recorded.length === 0 ? 'no-stream' : { revision: recorded.length - 1 };
      return ResultAsync.fromSafePromise(Promise.resolve(decide(state))).andThen((decision) => decision).andThen((decision) => {
        if (decision.events.length === 0) return okAsync<Value, E | StoreError>(decision.value);
        return deps.events
          .append(stream, decision.events.map(envelope(tenant, deps.ids)), expected)
          .map(() => decision.value)
          .orElse((e): ResultAsync<Value, E | StoreError | UseCaseError> => {
            if (e.code !== 'WRONG_EXPECTED_VERSION') return errAsync(e);
            if (n + 1 >= MAX_ATTEMPTS) return errAsync({ code: 'CONCURRENCY_CONFLICT', stream });
            return ResultAsync.fromSafePromise(pause(n)).andThen(() => attempt(n + 1));
          });
      });
    });
  return attempt(0);
};

export const runCommand = <State, Event extends DomainEvent<string, unknown>, Value, E extends UseCaseError>(
  deps: { events: EventStore; ids: IdGenerator; projector: Projector },
  tenant: string,
  stream: string,
  aggregate: Aggregate<State, Event>,
  decide: (state: State) => Result<Decision<Event, Value>, E> | ResultAsync<Decision<Event, Value>, E>,
): ResultAsync<Value, E | StoreError | UseCaseError> =>
  decideAndAppend(deps, tenant, stream, aggregate, decide).andThen((value) => catchUp(deps.projector).map(() => value));

/** Read-your-writes: the answer waits until this node's read models include what was just written. */
export const catchUp = (projector: Projector): ResultAsync<void, StoreError> =>
  ResultAsync.fromSafePromise(projector.catchUp()).andThen((r) => (r.isOk() ? ok(undefined) : err(r.error)));
