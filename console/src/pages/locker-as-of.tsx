import type { LockerClient } from '@digital-locker/client';
import { useState } from 'preact/hooks';
import { describeProblem, erasedPeople, type LockerAsOf as Locker } from '../api.js';
import { t } from '../i18n.js';
import { DataTable, Refusal, Submit } from '../ui.js';
import { Person } from '../people.js';

type Doc = Locker['documents'][number];

const List = ({ title, documents }: { title: string; documents: readonly Doc[] }) => (
  <DataTable
    caption={title}
    rows={documents}
    rowKey={(d) => d.documentId}
    columns={[
      {
        label: t.document,
        cell: (d) => (
          <>
            {d.title} <span class="muted">({d.documentId})</span>
          </>
        ),
      },
      { label: t.version, cell: (d) => d.version },
      { label: t.opened, cell: (d) => d.recipients[0]?.openedVersions.join(', ') || t.none },
      { label: t.acknowledged, cell: (d) => d.recipients[0]?.acknowledgedVersion ?? t.none },
    ]}
  />
);

/** What someone had in their locker at a date, and what arrived or went since. */
export const LockerAsOf = ({ api }: { api: LockerClient }) => {
  const [userId, setUserId] = useState('');
  const [asOf, setAsOf] = useState('');
  const [answer, setAnswer] = useState<{ then: Locker; now: Locker; erased: ReadonlySet<string> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const show = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const ask = (at: string) => api.GET('/v1/audit/lockers/{userId}', { params: { path: { userId: userId.trim() }, query: { asOf: at } } });
    const [then, now, erased] = await Promise.all([ask(new Date(`${asOf}T23:59:59.999`).toISOString()), ask(new Date().toISOString()), erasedPeople(api)]);
    setBusy(false);
    if (!then.data || !now.data) {
      setAnswer(null);
      return setError(describeProblem(then.error ?? now.error, (then.data ? now : then).response.status));
    }
    setAnswer({ then: then.data, now: now.data, erased });
  };
  const ids = (l: Locker) => new Set(l.documents.map((d) => d.documentId));
  return (
    <section aria-labelledby="locker-title">
      <h2 id="locker-title">{t.lockerAsOf}</h2>
      <form onSubmit={show} class="query">
        <label>
          {t.userId}
          <input name="userId" required value={userId} onInput={(e) => setUserId(e.currentTarget.value)} autocomplete="off" />
        </label>
        <label>
          {t.asOfRequired}
          <input name="asOf" type="date" required value={asOf} onInput={(e) => setAsOf(e.currentTarget.value)} />
        </label>
        <Submit busy={busy} />
      </form>
      <Refusal message={error} />
      {answer && (
        <>
          <p>
            <Person id={answer.then.userId} erased={answer.erased} />
          </p>
          <List title={t.hadThen} documents={answer.then.documents} />
          <List title={t.addedSince} documents={answer.now.documents.filter((d) => !ids(answer.then).has(d.documentId))} />
          <List title={t.goneSince} documents={answer.then.documents.filter((d) => !ids(answer.now).has(d.documentId))} />
        </>
      )}
    </section>
  );
};
