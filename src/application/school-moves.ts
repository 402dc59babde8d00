import type { ResultAsync } from 'neverthrow';
import { schoolMovesDecider } from '../domain/index.js';
import type { Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { handle, replay } from './handle-command.js';
import { CELL } from './streams.js';

const ACTOR = 'system:import';

/**
 * Schools being imported into this cell (ADR 54): each job asks once a run and leaves them alone,
 * so that nothing the cell does writes to a stream of the school that its archive writes too.
 */
export const schoolMoves = (deps: Pick<Deps, 'events' | 'ids' | 'projector' | 'clock' | 'streams'>) => {
  const command = (type: 'StartSchoolImport' | 'FinishSchoolImport', tenant: string): ResultAsync<void, UseCaseError> =>
    handle(deps, schoolMovesDecider, CELL, deps.streams.schoolMoves(), { type, actorId: ACTOR, at: deps.clock.now(), tenant }, { waitForReadModels: false }).map(() => undefined);
  return {
    /** Before the first byte of the school is written here. */
    started: (tenant: string) => command('StartSchoolImport', tenant),
    /** Once the school is here whole and verified: the jobs take it on from their next run. */
    finished: (tenant: string) => command('FinishSchoolImport', tenant),
    importing: (): ResultAsync<ReadonlySet<string>, UseCaseError> => deps.events.readStream(deps.streams.schoolMoves()).map((recorded) => replay(schoolMovesDecider, recorded)),
  };
};
