import { errAsync, ResultAsync } from 'neverthrow';
import { AuthType, createClient, getPatcher, type FileStat } from 'webdav';
import { isRefusal, outboundGuard, type Lookup, type OutboundGuard } from '../shared/outbound-guard.js';
import { cleanCloudPath, type CloudAccount, type CloudDrive, type CloudEntry, type CloudError, type CloudFile } from '../../application/ports/cloud-drive.js';

export type WebdavOptions = { readonly timeoutMs: number; readonly allowedHosts: readonly string[]; readonly lookup?: Lookup };

const GATHER_BYTES = 256 * 1024;

// Every request the webdav client makes goes through the outbound guard's fetch (public addresses
// only, checked as each connection is made: ADR 38) and follows no redirect: a server configured
// by an admin may not send us, with the person's password, to another host. The patch is the
// webdav package's, for the whole process: the latest drive's guard is the one used.
let guard: OutboundGuard | undefined;
let patched = false;
const guarded = (next: OutboundGuard) => {
  guard = next;
  if (patched) return;
  patched = true;
  getPatcher().patch('fetch', (...args: unknown[]) => guard!.fetch(args[0] as string, { ...(args[1] as object), redirect: 'manual' } as never));
};

const statusOf = (e: unknown): number | undefined => (e as { status?: number; response?: { status?: number } }).status ?? (e as { response?: { status?: number } }).response?.status;

/** What a failure says, without a credential: the status, or the kind of network error. */
const cloudError = (path: string) => (e: unknown): CloudError => {
  // Refused or failed, never the socket's error: it tells a closed port from an open one.
  if (isRefusal(e)) return { code: 'CLOUD_UNAVAILABLE', reason: 'refused: the server is not at a public address' };
  const status = statusOf(e);
  if (status === 401 || status === 403) return { code: 'CLOUD_AUTH_FAILED' };
  if (status === 404) return { code: 'CLOUD_NOT_FOUND', path };
  if (status !== undefined && status >= 300 && status < 400) return { code: 'CLOUD_UNAVAILABLE', reason: `the server answered a redirect (${status}), which is not followed` };
  if (status !== undefined) return { code: 'CLOUD_UNAVAILABLE', reason: `the server answered ${status}` };
  return { code: 'CLOUD_UNAVAILABLE', reason: 'failed: the server could not be reached' };
};

/**
 * The account's base URL; `{user}` in the admin's URL is the person's user name. A name that would
 * climb out of the per-user folder (`.`, `..`) is refused, and the URL, once normalised, must still
 * start with what the template has before `{user}`: the password goes nowhere else.
 */
export const baseOf = (account: CloudAccount): string | undefined => {
  const at = account.url.indexOf('{user}');
  if (at < 0) return account.url;
  if (account.username === '.' || account.username === '..' || account.username.trim() === '') return undefined;
  let base: string;
  try {
    base = new URL(account.url.replace('{user}', encodeURIComponent(account.username))).href;
  } catch {
    return undefined;
  }
  const prefix = account.url.slice(0, at);
  let normalisedPrefix: string;
  try {
    normalisedPrefix = new URL(prefix).href;
  } catch {
    return undefined;
  }
  return base.startsWith(normalisedPrefix) && base.length > normalisedPrefix.length ? base : undefined;
};

/**
 * The CloudDrive over WebDAV (the `webdav` package): PROPFIND for checks and listings, GET for the
 * bytes, streamed. Each call has a deadline; a download is cut when no byte came for that long.
 */
export const webdavCloudDrive = (options: WebdavOptions): CloudDrive => {
  guarded(outboundGuard(options));
  const client = (account: CloudAccount) => createClient(baseOf(account)!, { username: account.username, password: account.password, authType: AuthType.Password });
  const within = <T>(path: string, work: (signal: AbortSignal) => Promise<T>): ResultAsync<T, CloudError> =>
    ResultAsync.fromPromise(work(AbortSignal.timeout(options.timeoutMs)), cloudError(path));
  /** A user name that does not fit the cloud's URL is refused as bad credentials, before any request. */
  const unfit = (account: CloudAccount) => (baseOf(account) === undefined ? errAsync<never, CloudError>({ code: 'CLOUD_AUTH_FAILED' }) : undefined);
  const entryOf = (f: FileStat): CloudEntry => ({
    name: f.basename,
    path: cleanCloudPath(f.filename) ?? f.filename,
    type: f.type === 'directory' ? 'folder' : 'file',
    size: f.type === 'file' ? f.size : null,
    mediaType: f.type === 'file' ? (f.mime ?? null) : null,
    modified: f.lastmod ? new Date(f.lastmod).toISOString() : null,
  });
  return {
    check: (account) => unfit(account) ?? within('/', (signal) => client(account).getDirectoryContents('/', { signal } as never)).map(() => undefined),
    list: (account, raw) => {
      const refused = unfit(account);
      if (refused) return refused;
      const path = cleanCloudPath(raw);
      if (!path) return errAsync({ code: 'CLOUD_PATH_INVALID', path: raw });
      return within(path, (signal) => client(account).getDirectoryContents(path, { signal } as never) as unknown as Promise<FileStat[]>).map((items) =>
        items.map(entryOf).sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'folder' ? -1 : 1)),
      );
    },
    open: (account, raw) => {
      const refused = unfit(account);
      if (refused) return refused;
      const path = cleanCloudPath(raw);
      if (!path || path === '/') return errAsync({ code: 'CLOUD_PATH_INVALID', path: raw });
      const c = client(account);
      return within(path, (signal) => c.stat(path, { signal } as never) as Promise<FileStat>).andThen((stat) => {
        if (stat.type !== 'file') return errAsync<CloudFile, CloudError>({ code: 'CLOUD_PATH_INVALID', path });
        const abort = new AbortController();
        const idle = setTimeout(() => abort.abort(), options.timeoutMs);
        return ResultAsync.fromPromise(
          c.customRequest(path, { method: 'GET', signal: abort.signal }).then((answer) => {
            const response = answer as unknown as globalThis.Response;
            if (response.status !== 200 || !response.body) throw Object.assign(new Error(`status ${response.status}`), { status: response.status });
            return response.body;
          }),
          cloudError(path),
        ).map((body): CloudFile => ({
          fileName: stat.basename,
          mediaType: stat.mime ?? 'application/octet-stream',
          size: stat.size,
          etag: stat.etag,
          content: (async function* () {
            // fetch hands over small chunks (16 KiB or so): gathered into bigger ones, each is hashed
            // and written with one call instead of sixteen.
            let pending: Uint8Array[] = [];
            let size = 0;
            try {
              for await (const chunk of body as AsyncIterable<Uint8Array>) {
                // One timer restarted in place: a new timer per 16 KiB chunk is garbage the young
                // generation has to sweep during a long download.
                idle.refresh();
                pending.push(chunk);
                size += chunk.byteLength;
                if (size >= GATHER_BYTES) {
                  yield Buffer.concat(pending, size);
                  pending = [];
                  size = 0;
                }
              }
              if (size > 0) yield Buffer.concat(pending, size);
            } finally {
              clearTimeout(idle);
              // A consumer that stops early (the size limit) closes the download too.
              abort.abort();
            }
          })(),
        }));
      });
    },
  };
};
