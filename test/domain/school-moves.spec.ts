import { describe, expect, it } from 'vitest';
import { schoolMovesDecider, type SchoolMoveEvent } from '../../src/domain/index.js';
import { AT, given } from './given.js';

const by = { actorId: 'system:import', at: AT };
const started = (tenant: string): SchoolMoveEvent => ({ type: 'SchoolImportStarted', data: { tenant }, actor: 'system:import', at: AT });
const finished = (tenant: string): SchoolMoveEvent => ({ type: 'SchoolImportFinished', data: { tenant }, actor: 'system:import', at: AT });

describe('schools arriving in a cell', () => {
  it('an import starts once: resumed after it stopped, it is the same import', () => {
    const importing = given(schoolMovesDecider, []).when({ type: 'StartSchoolImport', ...by, tenant: 'lycee-a' }).then([started('lycee-a')]);
    expect([...importing]).toEqual(['lycee-a']);
    given(schoolMovesDecider, [started('lycee-a')]).when({ type: 'StartSchoolImport', ...by, tenant: 'lycee-a' }).then([]);
  });

  it('finishes what was started, once; each school on its own', () => {
    const left = given(schoolMovesDecider, [started('lycee-a'), started('lycee-b')]).when({ type: 'FinishSchoolImport', ...by, tenant: 'lycee-a' }).then([finished('lycee-a')]);
    expect([...left]).toEqual(['lycee-b']);
    given(schoolMovesDecider, [started('lycee-a'), finished('lycee-a')]).when({ type: 'FinishSchoolImport', ...by, tenant: 'lycee-a' }).then([]);
    given(schoolMovesDecider, []).when({ type: 'FinishSchoolImport', ...by, tenant: 'lycee-b' }).then([]);
  });

  it('a school imported again later is held again', () => {
    const again = given(schoolMovesDecider, [started('lycee-a'), finished('lycee-a')]).when({ type: 'StartSchoolImport', ...by, tenant: 'lycee-a' }).then([started('lycee-a')]);
    expect(again.has('lycee-a')).toBe(true);
  });
});
