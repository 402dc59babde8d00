import { ok, type Result } from 'neverthrow';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';

/**
 * Schools arriving in this cell from another (ADR 54): while one is imported, the cell's own jobs
 * leave it alone, since each would write to a stream of the school that its archive writes too.
 * The cell's record, not a school's.
 */
export type SchoolMoveEvent = DomainEvent<'SchoolImportStarted', { tenant: string }> | DomainEvent<'SchoolImportFinished', { tenant: string }>;
export type SchoolMoveCommand = CommandContext & { readonly type: 'StartSchoolImport' | 'FinishSchoolImport'; readonly tenant: string };
/** The schools being imported now. */
export type SchoolMoves = ReadonlySet<string>;

const decide = (importing: SchoolMoves, cmd: SchoolMoveCommand): Result<SchoolMoveEvent[], never> => {
  const by = { actor: cmd.actorId, at: cmd.at };
  // An import resumed after it stopped is the same import; a finish said twice is said once.
  if (cmd.type === 'StartSchoolImport') return ok(importing.has(cmd.tenant) ? [] : [{ type: 'SchoolImportStarted', data: { tenant: cmd.tenant }, ...by }]);
  return ok(importing.has(cmd.tenant) ? [{ type: 'SchoolImportFinished', data: { tenant: cmd.tenant }, ...by }] : []);
};

const evolve = (importing: SchoolMoves, event: SchoolMoveEvent): SchoolMoves => {
  const next = new Set(importing);
  if (event.type === 'SchoolImportStarted') next.add(event.data.tenant);
  else next.delete(event.data.tenant);
  return next;
};

export const schoolMovesDecider: Decider<SchoolMoveCommand, SchoolMoves, SchoolMoveEvent, never> = { initialState: new Set(), evolve, decide };
