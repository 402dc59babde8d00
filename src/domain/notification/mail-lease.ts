import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';

/**
 * With several app nodes, one sends a tenant's mails at a time: the one holding this lease, taken
 * on the tenant's lease stream with an expected version (two nodes cannot both take it), renewed
 * while it works, and taken over by another once it has expired.
 */
export type MailLeaseEvent = DomainEvent<'MailLeaseTaken', { holder: string; until: string }>;
export type MailLease = { readonly holder: string | undefined; readonly until: string | undefined };
export type MailLeaseCommand = CommandContext & { readonly type: 'TakeMailLease'; readonly holder: string; readonly until: string };
export type MailLeaseError = { readonly code: 'MAIL_LEASE_HELD'; readonly holder: string; readonly until: string };

const decide = (state: MailLease, cmd: MailLeaseCommand): Result<MailLeaseEvent[], MailLeaseError> => {
  const held = state.holder !== undefined && state.until !== undefined && state.until > cmd.at;
  if (held && state.holder !== cmd.holder) return err({ code: 'MAIL_LEASE_HELD', holder: state.holder!, until: state.until! });
  // The holder renews only once half of its lease has run, so a busy dispatcher writes little.
  if (held && Date.parse(state.until!) - Date.parse(cmd.at) > (Date.parse(cmd.until) - Date.parse(cmd.at)) / 2) return ok([]);
  return ok([{ type: 'MailLeaseTaken', data: { holder: cmd.holder, until: cmd.until }, actor: cmd.actorId, at: cmd.at }]);
};

export const mailLeaseDecider: Decider<MailLeaseCommand, MailLease, MailLeaseEvent, MailLeaseError> = {
  initialState: { holder: undefined, until: undefined },
  evolve: (_state, event) => ({ holder: event.data.holder, until: event.data.until }),
  decide,
};
