import { SignJWT } from 'jose';

/**
 * Signs an HS256 token with the configured secret: what `locker token` prints for scripts and
 * tests, verified by the HTTP edge like any identity provider's token.
 */
export const signToken = async (
  secret: string,
  claims: { tenant: string; userId: string; scope?: string | undefined; ttlSeconds?: number; issuer?: string | undefined; audience?: string | undefined },
): Promise<string> => {
  const jwt = new SignJWT({ tenant: claims.tenant, ...(claims.scope ? { scope: claims.scope } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (claims.ttlSeconds ?? 3600));
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
};
