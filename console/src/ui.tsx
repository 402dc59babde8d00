import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeProblem } from './api.js';
import { t } from './i18n.js';

export type Column<Row> = { readonly label: string; readonly cell: (row: Row) => ComponentChildren };

/** A table with a caption (its accessible name) and column headers; "Nothing." when empty. */
export const DataTable = <Row,>({ caption, columns, rows, rowKey }: { caption: string; columns: readonly Column<Row>[]; rows: readonly Row[]; rowKey: (row: Row) => string }) =>
  rows.length === 0 ? (
    <section>
      <h3>{caption}</h3>
      <p>{t.nothing}</p>
    </section>
  ) : (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c.label}>
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((c) => (
              <td key={c.label}>{c.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );

export const Refusal = ({ message }: { message: string | null }) =>
  message ? (
    <p role="alert" class="error">
      {t.error} {message}
    </p>
  ) : null;

/** A query form's button: says it is loading while the answer comes. */
export const Submit = ({ busy }: { busy: boolean }) => (
  <button type="submit" disabled={busy}>
    {busy ? t.loading : t.show}
  </button>
);

/**
 * A job the server runs in the background (a rollover, a verification): started, then asked again
 * every half second while it runs. Stops asking when the page goes.
 */
export const useJob = <J extends { id: string; status: string }>(
  start: () => Promise<Answer<J>>,
  get: (id: string) => Promise<Answer<J>>,
): { job: J | null; error: string | null; run: () => Promise<void> } => {
  const [job, setJob] = useState<J | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const follow = (answer: Answer<J>) => {
    if (answer.data === undefined) return setError(describeProblem(answer.error, answer.response.status));
    const current = answer.data;
    setJob(current);
    if (current.status === 'running') timer.current = window.setTimeout(() => void get(current.id).then(follow), POLL_MS);
  };
  const run = async () => {
    setError(null);
    setJob(null);
    follow(await start());
  };
  return { job, error, run };
};
const POLL_MS = 500;

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** An API answer loaded when the page opens: the data, or what the server said. */
export const useLoaded = <T,>(load: () => Promise<Answer<T>>): { data: T | undefined; error: string | null } => {
  const [state, setState] = useState<{ data: T | undefined; error: string | null }>({ data: undefined, error: null });
  useEffect(() => {
    let live = true;
    void load().then((a) => live && setState(a.data !== undefined ? { data: a.data, error: null } : { data: undefined, error: describeProblem(a.error, a.response.status) }));
    return () => {
      live = false;
    };
  }, []);
  return state;
};

/** A file the browser saves, made here: nothing goes through a URL a server sees. */
export const saveFile = (name: string, type: string, content: string): void => {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};
