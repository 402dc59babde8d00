import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';

/**
 * People whose personal data was erased, on one stream per tenant. The event itself holds only the
 * opaque id: what it erased (the person's key, their links and preferences) is gone for good.
 */
export type ErasureEvent = DomainEvent<'PersonErased', { userId: string; reason: 'request' | 'departed' }>;
export type Erasures = ReadonlySet<string>;
export type ErasureError = { readonly code: 'PERSON_IN_DIRECTORY'; readonly userId: string };
export type ErasureCommand = CommandContext & { readonly type: 'ErasePerson'; readonly userId: string; readonly inDirectory: boolean; readonly reason: 'request' | 'departed' };

const decide = (state: Erasures, cmd: ErasureCommand): Result<ErasureEvent[], ErasureError> => {
  // Someone still in the directory has an account: their data is in use.
  if (cmd.inDirectory) return err({ code: 'PERSON_IN_DIRECTORY', userId: cmd.userId });
  if (state.has(cmd.userId)) return ok([]);
  return ok([{ type: 'PersonErased', data: { userId: cmd.userId, reason: cmd.reason }, actor: cmd.actorId, at: cmd.at }]);
};

export const erasureDecider: Decider<ErasureCommand, Erasures, ErasureEvent, ErasureError> = {
  initialState: new Set(),
  evolve: (state, event) => new Set([...state, event.data.userId]),
  decide,
};
