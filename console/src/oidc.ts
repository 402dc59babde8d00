import { keepSession, sessionOf, type Session } from './session.js';

/**
 * Hosted sign-in: OpenID Connect's authorization code flow with PKCE against the school's identity
 * provider (`LOCKER_OIDC_ISSUER`), as a public client. Its access token is the one the API already
 * verifies (`LOCKER_JWT_PUBLIC_KEY`). The verifier and state wait in this tab's sessionStorage for the
 * provider's answer; the code leaves the address as soon as it is read.
 */
export type OidcConfig = { readonly issuer: string; readonly clientId: string };

const PENDING = 'digital-locker-console-oidc';
const redirectUri = () => `${location.origin}/console/`;

const base64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n = 32) => base64url(crypto.getRandomValues(new Uint8Array(n)));

const endpoints = async (issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> => {
  const res = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`the identity provider answered ${res.status}`);
  return (await res.json()) as { authorization_endpoint: string; token_endpoint: string };
};

/** Sends the browser to the identity provider. */
export const signIn = async (config: OidcConfig): Promise<void> => {
  const { authorization_endpoint } = await endpoints(config.issuer);
  const verifier = random();
  const state = random(16);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(authorization_endpoint);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: config.clientId, redirect_uri: redirectUri(), scope: 'openid', state, code_challenge: challenge, code_challenge_method: 'S256' })) url.searchParams.set(k, v);
  location.assign(url.toString());
};

/** Back from the identity provider: the code exchanged for a token, or undefined when this is not such a return. */
export const completeSignIn = async (config: OidcConfig): Promise<Session | undefined> => {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const state = params.get('state');
  if (code === null && params.get('error') === null) return undefined;
  // Out of the address and of this history entry before anything else.
  history.replaceState(null, '', location.pathname);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  if (code === null || !pending || pending.state !== state) throw new Error(params.get('error_description') ?? params.get('error') ?? 'the sign-in did not come from this page');
  const { token_endpoint } = await endpoints(config.issuer);
  const res = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), client_id: config.clientId, code_verifier: pending.verifier }),
  });
  if (!res.ok) throw new Error(`the identity provider refused the sign-in (${res.status})`);
  const { access_token } = (await res.json()) as { access_token?: string };
  const session = access_token ? sessionOf(access_token) : undefined;
  if (!session) throw new Error('the identity provider’s token names no school (tenant), person or expiry');
  keepSession(session);
  return session;
};
