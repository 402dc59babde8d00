import type { LockerClient } from '@digital-locker/client';
import { useState } from 'preact/hooks';
import { describeProblem, erasedPeople, type DocumentHistory } from '../api.js';
import { formatTime, t } from '../i18n.js';
import { DataTable, Refusal, Submit } from '../ui.js';
import { Person } from '../people.js';

const versionOf = (data: unknown): string => {
  const v = (data as { version?: unknown } | null)?.version;
  return typeof v === 'number' ? String(v) : '';
};

/** Every event of one document with who and when, and who had opened and acknowledged what at a moment. */
export const Timeline = ({ api }: { api: LockerClient }) => {
  const [documentId, setDocumentId] = useState('');
  const [asOf, setAsOf] = useState('');
  const [history, setHistory] = useState<DocumentHistory | null>(null);
  const [erased, setErased] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const show = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const query = asOf ? { asOf: new Date(asOf).toISOString() } : {};
    const [answer, people] = await Promise.all([api.GET('/v1/audit/documents/{id}/history', { params: { path: { id: documentId.trim() }, query } }), erasedPeople(api)]);
    setBusy(false);
    if (!answer.data) {
      setHistory(null);
      return setError(describeProblem(answer.error, answer.response.status));
    }
    setErased(people);
    setHistory(answer.data);
  };
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t.timeline}</h2>
      <form onSubmit={show} class="query">
        <label>
          {t.documentId}
          <input name="documentId" required value={documentId} onInput={(e) => setDocumentId(e.currentTarget.value)} autocomplete="off" />
        </label>
        <label>
          {t.asOf}
          <input name="asOf" type="datetime-local" value={asOf} onInput={(e) => setAsOf(e.currentTarget.value)} />
        </label>
        <Submit busy={busy} />
      </form>
      <Refusal message={error} />
      {history && (
        <>
          <h3>{history.state.title}</h3>
          <dl class="facts">
            <dt>{t.status}</dt>
            <dd>{history.state.status}</dd>
            <dt>{t.depositor}</dt>
            <dd>
              <Person id={history.state.depositorId} erased={erased} />
            </dd>
            <dt>{t.version}</dt>
            <dd>{history.state.version}</dd>
          </dl>
          <DataTable
            caption={t.timeline}
            rows={history.events}
            rowKey={(e) => e.id}
            columns={[
              { label: t.when, cell: (e) => <time dateTime={e.at}>{formatTime(e.at)}</time> },
              { label: t.who, cell: (e) => <Person id={e.actor} erased={erased} /> },
              { label: t.what, cell: (e) => e.type },
              { label: t.version, cell: (e) => versionOf(e.data) },
            ]}
          />
          <DataTable
            caption={t.recipients}
            rows={history.state.recipients}
            rowKey={(r) => r.userId}
            columns={[
              { label: t.person, cell: (r) => <Person id={r.userId} erased={erased} /> },
              { label: t.opened, cell: (r) => (r.openedVersions.length > 0 ? r.openedVersions.join(', ') : t.none) },
              { label: t.acknowledged, cell: (r) => r.acknowledgedVersion ?? t.none },
            ]}
          />
        </>
      )}
    </section>
  );
};
