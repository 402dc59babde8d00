import { t } from './i18n.js';

/** A person as the history names them: by id, and marked when the school erased them. */
export const Person = ({ id, erased }: { id: string; erased: ReadonlySet<string> }) =>
  erased.has(id) ? (
    <span class="person erased">
      {id} <span class="tag">{t.erased}</span>
    </span>
  ) : (
    <span class="person">{id}</span>
  );
