import type Database from 'better-sqlite3';

/** Only the streams whose first event is of one of these types, with this value in clear at `field` of its data. */
export type PrefixFilter = { readonly types: readonly string[]; readonly field: string; readonly equals: string };
/** One page: a JSON text of rows, and whether it is the last. */
export type Page = { readonly text: string; readonly last: boolean };
type Row = [position: number, named: string | null, revision: number, type: string, data: string, meta: string, matches: number | null];

/**
 * The one page reader, run by the scan's worker thread and by the caller's thread when it reads on
 * its own. It pages through the (stream, revision) index and turns each page into one JSON text
 * with the stored data and meta spliced in unparsed: the replay parses a page once and gets the
 * events' objects, and no string per column is made (or crosses between threads). A row is [the
 * stream's name on its first row or null, revision, type, data, meta]. A stream starts at revision
 * 0 (one that would not, and none does, is named by a lookup); SQLite tells whether its first event
 * matches the filter, and the rows of one that does not are left out unread by JavaScript. Each
 * page is read whole before it is handed over, so the caller may append between pages on the
 * same connection.
 */
export const pageReader = (db: Database.Database, prefix: string, upper: string, size: number, filter: PrefixFilter | undefined): (() => Page | null) => {
  const page = db
    .prepare(
      'SELECT position, CASE WHEN revision = 0 THEN stream END, revision, type, data, meta, CASE WHEN revision = 0 AND @types IS NOT NULL THEN type IN (SELECT value FROM json_each(@types)) AND json_extract(data, @path) IS @equals END FROM events WHERE (stream, revision) > (@stream, @revision) AND stream < @upper ORDER BY stream, revision LIMIT @size',
    )
    .raw(true);
  const nameAt = db.prepare('SELECT stream FROM events WHERE position = ?').pluck();
  const asked = filter ? { types: JSON.stringify(filter.types), path: `$.${filter.field}`, equals: filter.equals } : { types: null, path: null, equals: null };
  let after: [string, number] = [prefix, -1];
  let current: string | null = null;
  let keeping = true;
  let lastRevision = -2;
  let finished = false;
  return () => {
    if (finished) return null;
    const rows = page.all({ ...asked, stream: after[0], revision: after[1], upper, size }) as Row[];
    let text = '[';
    for (const [position, named, revision, type, data, meta, matches] of rows) {
      let name: string | null = null;
      if (named !== null || current === null || revision !== lastRevision + 1) {
        name = current = named ?? (nameAt.get(position) as string);
        keeping = !filter || matches === 1;
      }
      lastRevision = revision;
      if (!keeping) continue;
      text += `${text.length === 1 ? '[' : ',['}${JSON.stringify(name)},${revision},${JSON.stringify(type)},${data},${meta}]`;
    }
    if (rows.length < size) finished = true;
    else after = [current!, rows[rows.length - 1]![2]];
    return { text: `${text}]`, last: finished };
  };
};
