import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { mailLeaseDecider } from '../domain/index.js';
import type { Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { handle } from './handle-command.js';

/**
 * Takes (or renews) a lease on a stream for `leaseMs`: true when this node holds it now, false when
 * another does. The mail and webhook dispatchers each hold one per tenant.
 */
export const takeLease = (deps: Deps, tenant: string, stream: string, holder: string, leaseMs: number, actorId: string): ResultAsync<boolean, UseCaseError> => {
  const at = deps.clock.now();
  const until = new Date(Date.parse(at) + leaseMs).toISOString();
  return handle(deps, mailLeaseDecider, tenant, stream, { type: 'TakeMailLease', actorId, at, holder, until }, { waitForReadModels: false })
    .map(() => true)
    .orElse((e) => (e.code === 'MAIL_LEASE_HELD' ? okAsync(false) : errAsync(e)));
};

/** Splits work into waves of `size`: each wave runs at once, waves one after another. */
export const waves = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
