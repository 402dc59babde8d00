/** A school year is written `2026-2027`: the second year follows the first. */
export const isSchoolYear = (value: string): boolean => {
  const match = /^(\d{4})-(\d{4})$/.exec(value);
  return match !== null && Number(match[2]) === Number(match[1]) + 1;
};

/** Northern-hemisphere schools start in August or September: the year turns on 1 August (UTC). */
export const schoolYearOf = (isoDate: string): string => {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  const first = month >= 8 ? year : year - 1;
  return `${first}-${first + 1}`;
};

/** The instants a school year covers, `from` included and `to` excluded: the same boundary as `schoolYearOf`. */
export const schoolYearBounds = (year: string): { from: string; to: string } => ({
  from: `${year.slice(0, 4)}-08-01T00:00:00.000Z`,
  to: `${year.slice(5, 9)}-08-01T00:00:00.000Z`,
});

export const nextSchoolYear = (year: string): string => {
  const first = Number(year.slice(0, 4)) + 1;
  return `${first}-${first + 1}`;
};
