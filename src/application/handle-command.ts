import { err, errAsync, ok, okAsync, ResultAsync, type Result } from 'neverthrow';
import type { Decider, DomainEvent } from '../domain/index.js';
import type { Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { envelope, toDomain } from './event-envelope.js';
import type { ExpectedVersion, ReplayedEvent } from './ports/event-store.js';

const MAX_ATTEMPTS = 200;

/** How long a command that lost a race waits before deciding again: a random share of a bound that grows 2 ms an attempt, up to 50 ms. */
export const retryPauseMs = (attempt: number, random: number): number => random * Math.min(50, 2 + attempt * 2);

const pause = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, retryPauseMs(attempt, Math.random())));

/**
 * A stream's state, folded with the decider's `evolve`, and the version an append decided on it
 * expects: the last event's own revision, not the count (a stream truncated by `$maxCount`, the
 * leases, starts past revision 0, and a count would never match).
 */
const folded = <State, Event extends DomainEvent<string, unknown>>(decider: Decider<never, State, Event, unknown>, history: readonly ReplayedEvent[]) => {
  const last = history[history.length - 1];
  const expected: ExpectedVersion = last === undefined ? 'no-stream' : { revision: last.revision };
  return { state: history.map((r) => toDomain<Event>(r)).reduce(decider.evolve, decider.initialState), expected };
};

export type CommandOptions = {
  /** Runs once the decision holds and before its events are appended: bytes first, events second. */
  readonly beforeAppend?: () => ResultAsync<void, UseCaseError>;
  /** Read-your-writes by default; a batch (the rollover) catches up once at its end instead. */
  readonly waitForReadModels?: boolean;
  /** How many times a command is decided again after losing a race, before answering 409. */
  readonly maxAttempts?: number;
};

export type Handled<State, Event> = { readonly state: State; readonly events: Event[] };

export type CommandDeps = Pick<Deps, 'events' | 'ids' | 'projector'>;

/**
 * The one command path: read the stream, fold it with the decider's `evolve`, decide, append at the
 * revision that was read. Another writer in between makes the append fail on its expected version,
 * and the whole cycle runs again on the new state: concurrent commands on one stream all land,
 * each decided on what is true. The answer waits until this node's read models include the events.
 */
export const handle = <Command, State, Event extends DomainEvent<string, unknown>, Error extends UseCaseError>(
  deps: CommandDeps,
  decider: Decider<Command, State, Event, Error>,
  tenant: string,
  stream: string,
  command: Command,
  options: CommandOptions = {},
): ResultAsync<Handled<State, Event>, UseCaseError> => {
  const run = (attempt: number): ResultAsync<Handled<State, Event>, UseCaseError> =>
    deps.events.readStream(stream).andThen((recorded) => {
      const { state, expected } = folded(decider, recorded);
      const decided = decider.decide(state, command);
      if (decided.isErr()) return errAsync<Handled<State, Event>, UseCaseError>(decided.error);
      const events = decided.value;
      const after = { state: events.reduce(decider.evolve, state), events };
      if (events.length === 0) return okAsync(after);
      return (options.beforeAppend?.() ?? okAsync(undefined))
        .andThen(() => deps.events.append(stream, events.map(envelope(tenant, deps.ids)), expected))
        .map(() => after)
        .orElse((e): ResultAsync<Handled<State, Event>, UseCaseError> => {
          if (e.code !== 'WRONG_EXPECTED_VERSION') return errAsync(e);
          if (attempt + 1 >= (options.maxAttempts ?? MAX_ATTEMPTS)) return errAsync({ code: 'CONCURRENCY_CONFLICT', stream });
          return ResultAsync.fromSafePromise(pause(attempt)).andThen(() => run(attempt + 1));
        });
    });

  const handled = run(0);
  return options.waitForReadModels === false ? handled : handled.andThen((outcome) => catchUp(deps.projector).map(() => outcome));
};

/**
 * Several commands on one stream, one after another, each decided on the state the ones before it
 * left and appended on its own (a store caps one append: a directory's parts each need theirs).
 * The stream is read once; another writer in between makes the next append fail, and the whole
 * answers 409: what was appended before it stays, and is what the next attempt decides on.
 */
export const handleEach = <Command, State, Event extends DomainEvent<string, unknown>, Error extends UseCaseError>(
  deps: CommandDeps,
  decider: Decider<Command, State, Event, Error>,
  tenant: string,
  stream: string,
  commands: readonly Command[],
): ResultAsync<Handled<State, Event>, UseCaseError> =>
  deps.events.readStream(stream).andThen((history) => {
    const first = folded(decider, history);
    const start = { state: first.state, events: [] as Event[] };
    let expected: ExpectedVersion = first.expected;
    return commands.reduce<ResultAsync<Handled<State, Event>, UseCaseError>>(
      (acc, command) =>
        acc.andThen(({ state, events }) => {
          const decided = decider.decide(state, command);
          if (decided.isErr()) return errAsync<Handled<State, Event>, UseCaseError>(decided.error);
          const next = { state: decided.value.reduce(decider.evolve, state), events: [...events, ...decided.value] };
          if (decided.value.length === 0) return okAsync(next);
          return deps.events
            .append(stream, decided.value.map(envelope(tenant, deps.ids)), expected)
            .mapErr((e): UseCaseError => (e.code === 'WRONG_EXPECTED_VERSION' ? { code: 'CONCURRENCY_CONFLICT', stream } : e))
            .map((appended) => {
              expected = { revision: appended.lastRevision };
              return next;
            });
        }),
      okAsync(start),
    );
  });

/** One command of `handleMany`, on its stream; `known` is the stream as the caller already read it (`[]`: new), to be read otherwise. */
export type StreamCommand<Command, Event = never> = {
  readonly stream: string;
  readonly command: Command;
  readonly known?: readonly ReplayedEvent[] | undefined;
  /** What the caller already decided on `known` (given with it): taken as the decision, not decided again. */
  readonly decided?: readonly Event[] | undefined;
};

export type ManyOptions = {
  /** One refusal refuses them all, before anything is appended; otherwise a refusal is that command's own answer. */
  readonly allOrNone: boolean;
  /** Runs once every decision holds and before any event is appended, with the commands that append: bytes first, events second. */
  readonly beforeAppend?: (appending: readonly number[]) => ResultAsync<void, UseCaseError>;
  /** Read-your-writes by default; a batch (the rollover) catches up once at its end instead. */
  readonly waitForReadModels?: boolean;
};

/**
 * Several commands, each on its own stream: each decided once, on its stream as read (or as the
 * caller read it), and what they decide appended together (one commit where the store can, ADR 31).
 * A stream another writer changed meanwhile fails alone and goes the one command path (`handle`),
 * which reads it again and decides on what is there. Answers each command's outcome, in order.
 */
export const handleMany = <Command, State, Event extends DomainEvent<string, unknown>, Error extends UseCaseError>(
  deps: CommandDeps,
  decider: Decider<Command, State, Event, Error>,
  tenant: string,
  commands: readonly StreamCommand<Command, Event>[],
  options: ManyOptions,
): ResultAsync<Result<Handled<State, Event>, UseCaseError>[], UseCaseError> => {
  const read = (c: StreamCommand<Command, Event>) => (c.known ? okAsync<readonly ReplayedEvent[], UseCaseError>(c.known) : deps.events.readStream(c.stream));
  const decideAll = ResultAsync.combine(commands.map((c) => read(c).map((history) => ({ history, c })))).andThen((streams) => {
    const decided = streams.map(({ history, c }) => {
      const { state, expected } = folded(decider, history);
      const decision: Result<readonly Event[], Error> = c.decided && c.known ? ok(c.decided) : decider.decide(state, c.command);
      return decision.map((events) => ({ expected, handled: { state: events.reduce(decider.evolve, state), events: [...events] } }));
    });
    const refused = decided.find((d) => d.isErr());
    if (options.allOrNone && refused?.isErr()) return errAsync<never, UseCaseError>(refused.error);
    return okAsync(decided);
  });
  const written = decideAll.andThen((decided) => {
    const appending = decided.flatMap((d, i) => (d.isOk() && d.value.handled.events.length > 0 ? [{ i, ...d.value }] : []));
    const outcomes: Result<Handled<State, Event>, UseCaseError>[] = decided.map((d) => d.map((v) => v.handled));
    if (appending.length === 0) return okAsync<Result<Handled<State, Event>, UseCaseError>[], UseCaseError>(outcomes);
    const toEnvelope = envelope(tenant, deps.ids);
    return (options.beforeAppend?.(appending.map((a) => a.i)) ?? okAsync(undefined))
      .andThen(() => deps.events.appendMany(appending.map((a) => ({ stream: commands[a.i]!.stream, events: a.handled.events.map(toEnvelope), expected: a.expected }))))
      .andThen((results) =>
        appending.reduce<ResultAsync<void, UseCaseError>>(
          (acc, { i }, k) =>
            acc.andThen(() => {
              const result = results[k]!;
              if (result.isOk()) return okAsync(undefined);
              if (result.error.code !== 'WRONG_EXPECTED_VERSION') return errAsync(result.error);
              return handle(deps, decider, tenant, commands[i]!.stream, commands[i]!.command, { waitForReadModels: false })
                .map((h) => void (outcomes[i] = ok(h)))
                .orElse((e) => (options.allOrNone ? errAsync(e) : okAsync(void (outcomes[i] = err(e)))));
            }),
          okAsync(undefined),
        ),
      )
      .map(() => outcomes);
  });
  return options.waitForReadModels === false ? written : written.andThen((outcomes) => catchUp(deps.projector).map(() => outcomes));
};

/** Read-your-writes: the answer waits until this node's read models include what was just written. */
export const catchUp = (projector: CommandDeps['projector']): ResultAsync<void, UseCaseError> =>
  ResultAsync.fromSafePromise(projector.catchUp()).andThen((r) => (r.isOk() ? okAsync(undefined) : errAsync(r.error)));

/** Folds a stream already read, with the aggregate's own `evolve`: audits and the rollover replay this way. */
export const replay = <Command, State, Event extends DomainEvent<string, unknown>>(decider: Decider<Command, State, Event, unknown>, recorded: readonly ReplayedEvent[]): State =>
  folded(decider, recorded).state;
