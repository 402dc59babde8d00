import type { LockerClient } from '@digital-locker/client';
import { useState } from 'preact/hooks';
import { describeProblem, erasedPeople, type LockerAsOf as Locker } from '../api.js';
import { t } from '../i18n.js';
import { Person } from '../people.js';

type Doc = Locker['documents'][number];

const List = ({ title, documents }: { title: string; documents: readonly Doc[] }) => (
  <section>
    <h3>{title}</h3>
    {documents.length === 0 ? (
      <p>{t.nothing}</p>
    ) : (
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t.document}</th>
            <th scope="col">{t.version}</th>
            <th scope="col">{t.opened}</th>
            <th scope="col">{t.acknowledged}</th>
          </tr>
        </thead>
        <tbody>
          {documents.map((d) => (
            <tr key={d.documentId}>
              <td>
                {d.title} <span class="muted">({d.documentId})</span>
              </td>
              <td>{d.version}</td>
              <td>{d.recipients[0]?.openedVersions.join(', ') || t.none}</td>
              <td>{d.recipients[0]?.acknowledgedVersion ?? t.none}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
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
        <button type="submit" disabled={busy}>
          {busy ? t.loading : t.show}
        </button>
      </form>
      {error && (
        <p role="alert" class="error">
          {t.error} {error}
        </p>
      )}
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
