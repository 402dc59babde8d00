import { err, ok, type Result } from 'neverthrow';
import { withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { notFound, type UseCaseError } from '../errors.js';
import type { ChainVerdict, ChainVerifier } from '../ports/chain-verifier.js';

export type VerificationJob = {
  readonly id: string;
  readonly tenant: string;
  readonly startedAt: string;
  status: 'running' | 'done' | 'failed';
  /** Events checked so far, of about `total` (the school's events the notary has chained). */
  progress: { eventsChecked: number; total: number };
  verdict: ChainVerdict | null;
  error: UseCaseError | null;
};

/**
 * An auditor's verification of their school's audit chain, run on the server in the background of
 * the node that received it (as rollovers are), its progress kept there while it runs.
 */
export const verificationJobs = (deps: Deps, verifier: ChainVerifier) => {
  const jobs = new Map<string, VerificationJob>();
  const auditor = (actor: Actor) => withPermission(deps, actor, 'locker.audit');
  return {
    start(actor: Actor): Result<VerificationJob, UseCaseError> {
      const allowed = auditor(actor);
      if (allowed.isErr()) return err(allowed.error);
      const total = deps.notary.heads().find((h) => h.tenant === actor.tenant)?.seq ?? 0;
      const job: VerificationJob = { id: deps.ids.newId(), tenant: actor.tenant, startedAt: deps.clock.now(), status: 'running', progress: { eventsChecked: 0, total }, verdict: null, error: null };
      jobs.set(job.id, job);
      void verifier
        .verify(actor.tenant, (eventsChecked) => (job.progress = { eventsChecked, total: Math.max(total, eventsChecked) }))
        .then((verdict) => {
          if (verdict.isErr()) return Object.assign(job, { status: 'failed', error: verdict.error });
          return Object.assign(job, { status: 'done', verdict: verdict.value, progress: { eventsChecked: verdict.value.eventsChecked, total: Math.max(total, verdict.value.eventsChecked) } });
        });
      return ok(job);
    },
    get(actor: Actor, id: string): Result<VerificationJob, UseCaseError> {
      return auditor(actor).andThen(() => {
        const job = jobs.get(id);
        return job && job.tenant === actor.tenant ? ok(job) : err(notFound('verification'));
      });
    },
  };
};
