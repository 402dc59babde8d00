import type { LockerClient } from '@digital-locker/client';
import { useRef, useState } from 'preact/hooks';
import { describeProblem, type RolloverJob } from '../api.js';
import { t } from '../i18n.js';
import { Refusal, useJob, useLoaded } from '../ui.js';

type Report = {
  dryRun: boolean;
  documentsExamined: number;
  carried: number;
  alreadyCarried: number;
  skipped: Record<string, number>;
  perCategory: Record<string, { carried: number; skipped: number }>;
};
type Progress = { phase: string; documentsExamined: number; documentsTotal: number };

/** The year after `2026-2027`: `2027-2028`. */
const nextYear = (year: string): string => {
  const start = Number(year.slice(0, 4)) + 1;
  return `${start}-${start + 1}`;
};

/** A dry run first, then the real one, watched as it goes (the server's progress, polled) to its report. */
export const Rollover = ({ api }: { api: LockerClient }) => {
  // From the school's current year, as its settings say (an admin may have set it).
  const settings = useLoaded(() => api.GET('/v1/settings'));
  const [typed, setFrom] = useState<string | null>(null);
  const from = typed ?? settings.data?.currentYear ?? '';
  const categories = useLoaded(() => api.GET('/v1/categories'));
  const designation = (id: string) => categories.data?.items.find((c) => c.id === id)?.designation ?? id;
  const dryRunNow = useRef(true);
  const { job, error, run } = useJob<RolloverJob>(
    () => api.POST('/v1/rollovers', { body: { from, to: nextYear(from), dryRun: dryRunNow.current } }),
    (id) => api.GET('/v1/rollovers/{id}', { params: { path: { id } } }),
  );
  const start = (asDryRun: boolean) => {
    dryRunNow.current = asDryRun;
    void run();
  };
  const running = job?.status === 'running';
  // Not before the school's year is known (its settings load) or typed as a school year: a rollover
  // asked from nothing was refused, and a quick click could ask it.
  const ready = /^\d{4}-\d{4}$/.test(from) && !running;
  const progress = job?.progress as Progress | null | undefined;
  const report = job?.report as Report | null | undefined;
  return (
    <section aria-labelledby="rollover-title">
      <h2 id="rollover-title">{t.rollover}</h2>
      <form class="query" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t.from}
          <input name="from" required pattern="\d{4}-\d{4}" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <p>
          {t.to} <strong>{/^\d{4}-\d{4}$/.test(from) ? nextYear(from) : '…'}</strong>
        </p>
        <button type="button" disabled={!ready} onClick={() => start(true)}>
          {t.dryRun}
        </button>
        <button type="button" class="primary" disabled={!ready} onClick={() => start(false)}>
          {t.run}
        </button>
      </form>
      <Refusal message={error} />
      {job && (
        <section aria-live="polite">
          <h3>{running ? t.running : t.report}</h3>
          {progress && (
            <p>
              <label>
                {t.progress}{' '}
                <progress max={Math.max(progress.documentsTotal, 1)} value={progress.documentsExamined}>
                  {progress.documentsExamined}
                </progress>
              </label>{' '}
              <span data-testid="examined">{t.examined(progress.documentsExamined, progress.documentsTotal)}</span>
            </p>
          )}
          {job.status === 'failed' && <Refusal message={describeProblem(job.error, 500)} />}
          {report && (
            <div data-testid="report">
              {report.dryRun && <p>{t.dryRunNote}</p>}
              <dl class="facts">
                <dt>{t.carried}</dt>
                <dd data-testid="carried">{report.carried}</dd>
                <dt>{t.alreadyCarried}</dt>
                <dd>{report.alreadyCarried}</dd>
              </dl>
              <table>
                <caption>{t.skipped}</caption>
                <tbody>
                  {Object.entries(report.skipped).map(([why, n]) => (
                    <tr key={why}>
                      <th scope="row">{t.skipReasons[why] ?? why}</th>
                      <td>{n}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <table>
                <caption>{t.categories}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.designation}</th>
                    <th scope="col">{t.carried}</th>
                    <th scope="col">{t.skipped}</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(report.perCategory).map(([id, c]) => (
                    <tr key={id}>
                      <th scope="row">{designation(id)}</th>
                      <td>{c.carried}</td>
                      <td>{c.skipped}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </section>
  );
};
