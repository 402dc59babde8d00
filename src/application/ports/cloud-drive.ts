import type { ResultAsync } from 'neverthrow';

/** One person's account on one of the tenant's cloud services: where, and the app password. */
export type CloudAccount = { readonly url: string; readonly username: string; readonly password: string };

export type CloudEntry = {
  readonly name: string;
  /** From the account's root, `/`-separated. */
  readonly path: string;
  readonly type: 'folder' | 'file';
  readonly size: number | null;
  readonly mediaType: string | null;
  readonly modified: string | null;
};

export type CloudFile = {
  readonly fileName: string;
  readonly mediaType: string;
  readonly size: number | null;
  readonly etag: string | null;
  readonly content: AsyncIterable<Uint8Array>;
};

/** Never carries a credential: messages are the server's status and what we make of it. */
export type CloudError =
  | { readonly code: 'CLOUD_AUTH_FAILED' }
  | { readonly code: 'CLOUD_UNAVAILABLE'; readonly reason: string }
  | { readonly code: 'CLOUD_NOT_FOUND'; readonly path: string }
  | { readonly code: 'CLOUD_PATH_INVALID'; readonly path: string };

/**
 * A person's files on a cloud service (WebDAV today; OneDrive or Google Drive could sit beside it).
 * Every call is bounded in time, follows no redirect, and stays under the account's root.
 */
export interface CloudDrive {
  /** The credentials work: the account's root answers. */
  check(account: CloudAccount): ResultAsync<void, CloudError>;
  list(account: CloudAccount, path: string): ResultAsync<CloudEntry[], CloudError>;
  /** A file, streamed: nothing is held in memory beyond a chunk. */
  open(account: CloudAccount, path: string): ResultAsync<CloudFile, CloudError>;
}

/** A path inside an account: absolute, `/`-separated, no `.` or `..`, no backslash or control character. */
export const cleanCloudPath = (path: string): string | undefined => {
  if (path.length > 1024 || /[\u0000-\u001f\\\\]/.test(path)) return undefined;
  const segments = path.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '.' || s === '..')) return undefined;
  return `/${segments.join('/')}`;
};
