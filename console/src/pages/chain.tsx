import type { LockerClient } from '@digital-locker/client';
import { describeProblem } from '../api.js';
import { formatTime, t } from '../i18n.js';
import { Refusal, saveFile, useJob, useLoaded } from '../ui.js';

type Verification = {
  id: string;
  status: 'running' | 'done' | 'failed';
  progress: { eventsChecked: number; total: number };
  verdict: { broken: { reason: string } | null; checkpoints: { verified: boolean; reason?: string }[] } | null;
  error: unknown;
};

/** The chain's last signed checkpoint, the checkpoints to keep, and a verification run by the server, watched as it goes. */
export const Chain = ({ api }: { api: LockerClient }) => {
  const { data, error } = useLoaded(() => api.GET('/v1/audit/checkpoints', { params: { query: { limit: 1000 } } }));
  const { job, error: refused, run: verify } = useJob<Verification>(
    () => api.POST('/v1/audit/verifications') as Promise<{ data?: Verification; error?: unknown; response: Response }>,
    (id) => api.GET('/v1/audit/verifications/{id}', { params: { path: { id } } }) as Promise<{ data?: Verification; error?: unknown; response: Response }>,
  );
  const last = data?.checkpoints[0];
  const failed = job?.verdict?.checkpoints.find((c) => !c.verified);
  return (
    <section aria-labelledby="chain-title">
      <h2 id="chain-title">{t.chain}</h2>
      <Refusal message={error ?? refused} />
      {data && (
        <>
          <h3>{t.lastCheckpoint}</h3>
          {last ? (
            <dl class="facts">
              <dt>{t.eventsChained}</dt>
              <dd>{last.seq}</dd>
              <dt>{t.signedAt}</dt>
              <dd>
                <time dateTime={last.at}>{formatTime(last.at)}</time>
              </dd>
              <dt>{t.head}</dt>
              <dd>
                <code>{last.head}</code>
              </dd>
            </dl>
          ) : (
            <p>{t.nothing}</p>
          )}
          <p class="actions">
            <button type="button" onClick={() => saveFile('checkpoints.json', 'application/json', `${JSON.stringify({ publicKey: data.publicKey, checkpoints: data.checkpoints }, null, 2)}\n`)}>
              {t.downloadCheckpoints}
            </button>{' '}
            <button type="button" class="primary" disabled={job?.status === 'running'} onClick={() => void verify()}>
              {t.verify}
            </button>
          </p>
        </>
      )}
      {job && (
        <section aria-live="polite">
          <p>
            <label>
              {t.progress}{' '}
              <progress max={Math.max(job.progress.total, 1)} value={job.progress.eventsChecked}>
                {job.progress.eventsChecked}
              </progress>
            </label>{' '}
            <span data-testid="checked">{t.verifying(job.progress.eventsChecked, job.progress.total)}</span>
          </p>
          {job.status === 'failed' && <Refusal message={describeProblem(job.error, 500)} />}
          {job.verdict && (
            <p data-testid="verdict" class={job.verdict.broken || failed ? 'error' : 'ok'}>
              {job.verdict.broken ? t.broken(job.verdict.broken.reason) : failed ? t.broken(failed.reason ?? '') : t.verified}
            </p>
          )}
        </section>
      )}
    </section>
  );
};
