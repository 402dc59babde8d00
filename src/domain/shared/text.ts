/**
 * Free text typed by people (titles, memos): surrounding blanks mean nothing, and a text of blanks
 * only is no text at all. One rule, so a memo set at deposit and one changed later compare equal.
 */
export const cleanText = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};
