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

export type Decide<State, Command, Event, Error> = (state: State, command: Command) => Result<Event[], Error>;
export type Evolve<State, Event> = (state: State, event: Event) => State;

export const fold = <State, Event>(evolve: Evolve<State, Event>, initial: State, events: readonly Event[]): State =>
  events.reduce(evolve, initial);

/** What every command carries besides its own fields. */
export type CommandContext = { readonly actorId: string; readonly at: string };
