import type { LockerClient } from '@digital-locker/client';
import { useState } from 'preact/hooks';
import { describeProblem, erasedPeople } from '../api.js';
import { formatTime, t } from '../i18n.js';
import { Person } from '../people.js';
import { DataTable, Refusal, saveFile, Submit } from '../ui.js';

type Event = { id: string; position: string; stream: string; type: string; actor: string; at: string; revision: number };

/** A CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
const field = (value: string): string => {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
export const toCsv = (events: readonly Event[]): string =>
  ['at,actor,type,stream,revision,id', ...events.map((e) => [e.at, e.actor, e.type, e.stream, String(e.revision), e.id].map(field).join(','))].join('\r\n') + '\r\n';

const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);

/** The school's history, filtered by actor, type and dates, a page at a time; what is shown exports as CSV. */
export const History = ({ api }: { api: LockerClient }) => {
  const [filter, setFilter] = useState({ actor: '', type: '', from: '', to: '' });
  const [events, setEvents] = useState<Event[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [erased, setErased] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async (cursor: string | undefined) => {
    setBusy(true);
    setError(null);
    const query = {
      limit: 200,
      ...(cursor ? { cursor } : {}),
      ...(filter.actor.trim() ? { actor: filter.actor.trim() } : {}),
      ...(filter.type.trim() ? { type: filter.type.trim() } : {}),
      ...(filter.from ? { from: dayStart(filter.from) } : {}),
      ...(filter.to ? { to: dayEnd(filter.to) } : {}),
    };
    const [answer, people] = await Promise.all([api.GET('/v1/audit/events', { params: { query } }), cursor ? Promise.resolve(erased) : erasedPeople(api)]);
    setBusy(false);
    if (!answer.data) return setError(describeProblem(answer.error, answer.response.status));
    setErased(people);
    setEvents([...(cursor ? (events ?? []) : []), ...answer.data.items]);
    setNext(answer.data.nextCursor);
  };
  const input = (name: keyof typeof filter, label: string, type: 'text' | 'date' = 'text') => (
    <label>
      {label}
      {type === 'date' ? (
        <input name={name} type="date" value={filter[name]} onInput={(e) => setFilter({ ...filter, [name]: e.currentTarget.value })} />
      ) : (
        <input name={name} type="text" value={filter[name]} onInput={(e) => setFilter({ ...filter, [name]: e.currentTarget.value })} autocomplete="off" />
      )}
    </label>
  );
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t.history}</h2>
      <form
        class="query"
        onSubmit={(e) => {
          e.preventDefault();
          void load(undefined);
        }}
      >
        {input('actor', t.actor)}
        {input('type', t.type)}
        {input('from', t.fromDate, 'date')}
        {input('to', t.toDate, 'date')}
        <Submit busy={busy} />
      </form>
      <Refusal message={error} />
      {events && (
        <>
          <p>
            <button type="button" onClick={() => saveFile('history.csv', 'text/csv', toCsv(events))}>
              {t.exportCsv}
            </button>
          </p>
          <DataTable
            caption={t.history}
            rows={events}
            rowKey={(e) => e.id}
            columns={[
              { label: t.when, cell: (e) => <time dateTime={e.at}>{formatTime(e.at)}</time> },
              { label: t.who, cell: (e) => <Person id={e.actor} erased={erased} /> },
              { label: t.what, cell: (e) => e.type },
              { label: t.stream, cell: (e) => <span class="muted">{e.stream}</span> },
            ]}
          />
          {next && (
            <button type="button" disabled={busy} onClick={() => void load(next)}>
              {t.more}
            </button>
          )}
        </>
      )}
    </section>
  );
};
