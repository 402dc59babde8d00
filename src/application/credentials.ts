import { ResultAsync } from 'neverthrow';
import type { UseCaseError } from './errors.js';

/** The credential store's answer in the use cases' error channel: a store that does not answer is a 503, never "not linked". */
export const fromCredentials = <T>(work: Promise<T>): ResultAsync<T, UseCaseError> =>
  ResultAsync.fromPromise(work, (e): UseCaseError => ({ code: 'STORE_UNAVAILABLE', message: `the credential store: ${(e as Error).message}` }));
