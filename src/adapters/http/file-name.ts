/**
 * A file name is data, never a path: keep its last segment, drop control characters, cap its
 * length. What remains is stored as given and only ever sent back inside a quoted header parameter.
 */
export const safeFileName = (raw: string | undefined): string => {
  const cleaned = (raw ?? '')
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .split(/[\\/]/)
    .pop()!
    .replace(/^[.\s]+/, '')
    .trim();
  const capped = [...cleaned].slice(0, 255).join('');
  return capped === '' ? 'document' : capped;
};

/** RFC 6266: an ASCII fallback for old clients, and the exact name in UTF-8 for the others. */
export const contentDisposition = (fileName: string): string => {
  const ascii = fileName.replace(/[^A-Za-z0-9 ._()-]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
};

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export const safeMediaType = (raw: string | undefined): string => {
  const type = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : 'application/octet-stream';
};
