import { createPublicKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { TENANT_PATTERN } from '../../application/streams.js';
import type { Actor } from '../../application/deps.js';

const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  tenant: z.string().regex(TENANT_PATTERN, 'tenant must be lower-case letters, digits and dashes'),
  exp: z.number(),
  scope: z.string().max(1000).optional(),
});

export type VerifierOptions = {
  readonly secret?: string | undefined;
  readonly publicKeyPem?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** The clock, for tests (milliseconds). */
  readonly now?: () => number;
};

export type AuthFailure = { readonly reason: 'missing' | 'expired' | 'invalid'; readonly detail: string };

/**
 * HS256 with the shared secret, or RS256/ES256 with a public key when one is configured (then the
 * secret is not accepted: a deployment that trusts an identity provider trusts only it).
 */
export const createVerifier = (options: VerifierOptions) => {
  let key: Uint8Array | KeyObject;
  let algorithms: string[];
  if (options.publicKeyPem) {
    const publicKey = createPublicKey(options.publicKeyPem);
    key = publicKey;
    algorithms = publicKey.asymmetricKeyType === 'ec' ? ['ES256'] : ['RS256'];
  } else if (options.secret) {
    key = new TextEncoder().encode(options.secret);
    algorithms = ['HS256'];
  } else {
    throw new Error('a JWT secret or public key is required');
  }

  /**
   * Tokens already verified, until they expire: a client sends the same token with every request,
   * and verifying its signature each time is a WebCrypto round trip through the thread pool. Only
   * tokens that passed every check are kept, so a hit answers exactly what verifying would; the
   * size is bounded, and an expired entry is never used.
   */
  const verified = new Map<string, { actor: Actor; exp: number }>();
  const now = options.now ?? Date.now;
  const MAX_CACHED = 10_000;

  return async (authorization: string | undefined): Promise<{ ok: true; actor: Actor } | { ok: false; failure: AuthFailure }> => {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization?.trim() ?? '');
    if (!match) return { ok: false, failure: { reason: 'missing', detail: 'expected an Authorization: Bearer <token> header' } };
    const token = match[1]!;
    const known = verified.get(token);
    if (known) {
      if (known.exp * 1000 > now()) return { ok: true, actor: known.actor };
      verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now()),
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
      });
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) {
        return { ok: false, failure: { reason: 'invalid', detail: `token claims: ${claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` } };
      }
      const scopes = claims.data.scope?.split(' ').filter(Boolean) ?? [];
      // Shared by every request with this token: nobody may change it.
      const actor: Actor = Object.freeze({ tenant: claims.data.tenant, userId: claims.data.sub, scopes: Object.freeze(scopes) as string[] });
      if (verified.size >= MAX_CACHED) verified.clear();
      verified.set(token, { actor, exp: claims.data.exp });
      return { ok: true, actor };
    } catch (e) {
      if (e instanceof errors.JWTExpired) return { ok: false, failure: { reason: 'expired', detail: 'the token has expired' } };
      return { ok: false, failure: { reason: 'invalid', detail: 'the token is not valid for this service' } };
    }
  };
};

export type Verifier = ReturnType<typeof createVerifier>;

/** Tokens for the CLI and tests, signed with the shared secret. */
