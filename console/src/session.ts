/**
 * Who is signed in, and until when. The embedded link (`locker console`) carries a short-lived
 * token in the URL's fragment, which no server and no log sees; it is taken out of the address at
 * once, kept in this tab only (sessionStorage), and dropped when it expires: a tab never holds a
 * token longer than it lives.
 */
export type Session = { readonly token: string; readonly tenant: string; readonly userId: string; readonly expiresAt: number };

const KEY = 'digital-locker-console';

const claimsOf = (token: string): { tenant?: unknown; sub?: unknown; exp?: unknown } | undefined => {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { tenant?: unknown; sub?: unknown; exp?: unknown };
  } catch {
    return undefined;
  }
};

export const sessionOf = (token: string): Session | undefined => {
  const claims = claimsOf(token);
  if (!claims || typeof claims.tenant !== 'string' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return undefined;
  return { token, tenant: claims.tenant, userId: claims.sub, expiresAt: claims.exp * 1000 };
};

const live = (s: Session | undefined): s is Session => s !== undefined && s.expiresAt > Date.now();

/** The session this tab holds: from a link just opened, else from before a reload; expired ones are dropped. */
export const takeSession = (): Session | undefined => {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromLink = fragment.get('token');
  if (fromLink !== null) {
    // Out of the address bar and of this entry of the history before anything else runs.
    history.replaceState(null, '', location.pathname);
    const s = sessionOf(fromLink);
    if (live(s)) {
      sessionStorage.setItem(KEY, s.token);
      return s;
    }
  }
  const kept = sessionStorage.getItem(KEY);
  const s = kept === null ? undefined : sessionOf(kept);
  if (live(s)) return s;
  sessionStorage.removeItem(KEY);
  return undefined;
};

export const keepSession = (s: Session): void => sessionStorage.setItem(KEY, s.token);

export const endSession = (): void => sessionStorage.removeItem(KEY);
