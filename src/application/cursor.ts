/** Cursors are opaque to clients: a position in a listing, encoded so nobody builds one by hand. */
export const encodeCursor = (seq: number): string => Buffer.from(`s${seq}`).toString('base64url');

export const decodeCursor = (cursor: string): number | undefined => {
  const match = /^s(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
};
