import type { Result } from 'neverthrow';

/**
 * Every event the domain emits says who did it and when. Both arrive in the command:
 * the domain never reads a clock.
 */
export type DomainEvent<Type extends string, Data> = {
  readonly type: Type;
  readonly data: Data;
  readonly actor: string;
  readonly at: string;
};

/**
 * One aggregate, as one value: its state is a fold of its events with `evolve`, and a command is
 * decided against that state. Plain functions over plain data, so the one command path in the
 * application runs every aggregate the same way, and tests read given(events).when(command).
 */
export type Decider<Command, State, Event, Error> = {
  readonly initialState: State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (state: State, command: Command) => Result<Event[], Error>;
};

/** What every command carries besides its own fields. */
export type CommandContext = { readonly actorId: string; readonly at: string };
