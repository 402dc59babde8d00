import { describe, it } from 'vitest';
import { erasureDecider } from '../../src/domain/index.js';
import { AT, given } from './given.js';

const by = { actorId: 'admin', at: AT };
const erased = (userId: string, reason: 'request' | 'departed' = 'request') => ({ type: 'PersonErased' as const, data: { userId, reason }, actor: 'admin', at: AT });

describe('erasing a person', () => {
  it('is recorded once, with why', () => {
    given(erasureDecider, []).when({ type: 'ErasePerson', ...by, userId: 'paul', inDirectory: false, reason: 'departed' }).then([erased('paul', 'departed')]);
    given(erasureDecider, [erased('paul')]).when({ type: 'ErasePerson', ...by, userId: 'paul', inDirectory: false, reason: 'request' }).then([]);
    given(erasureDecider, [erased('anne')]).when({ type: 'ErasePerson', ...by, userId: 'paul', inDirectory: false, reason: 'request' }).then([erased('paul')]);
  });

  it('is refused while they are in the directory, erased before or not', () => {
    given(erasureDecider, []).when({ type: 'ErasePerson', ...by, userId: 'paul', inDirectory: true, reason: 'request' }).thenError('PERSON_IN_DIRECTORY', { userId: 'paul' });
    given(erasureDecider, [erased('paul')]).when({ type: 'ErasePerson', ...by, userId: 'paul', inDirectory: true, reason: 'request' }).thenError('PERSON_IN_DIRECTORY', { userId: 'paul' });
  });
});
