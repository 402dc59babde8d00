import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/adapters/http/auth.js';
import { signToken } from '../../src/adapters/shared/tokens.js';

const SECRET = 's'.repeat(40);

describe('verified tokens are remembered until they expire, never after', () => {
  it('accepts a token again from memory, then refuses it once its exp has passed', async () => {
    let clock = Date.now();
    const verify = createVerifier({ secret: SECRET, now: () => clock });
    const token = await signToken(SECRET, { tenant: 'school', userId: 'anne', ttlSeconds: 60 });
    const first = await verify(`Bearer ${token}`);
    expect(first).toMatchObject({ ok: true, actor: { tenant: 'school', userId: 'anne' } });
    expect(await verify(`Bearer ${token}`)).toEqual(first);
    clock += 61_000;
    expect(await verify(`Bearer ${token}`)).toEqual({ ok: false, failure: { reason: 'expired', detail: 'the token has expired' } });
  });

  it('remembers nothing of a token that failed: a forged one stays refused, the real one still passes', async () => {
    const verify = createVerifier({ secret: SECRET });
    const token = await signToken(SECRET, { tenant: 'school', userId: 'anne' });
    // A byte of the decoded signature flipped: replacing its last base64url characters can decode to
    // the same bytes (the last character carries padding bits), and that "forgery" verified.
    const [head, body, signature] = token.split('.') as [string, string, string];
    const bytes = Buffer.from(signature, 'base64url');
    bytes[bytes.length - 1]! ^= 0x01;
    const forged = `${head}.${body}.${bytes.toString('base64url')}`;
    expect(forged).not.toBe(token);
    expect(await verify(`Bearer ${forged}`)).toMatchObject({ ok: false, failure: { reason: 'invalid' } });
    expect(await verify(`Bearer ${forged}`)).toMatchObject({ ok: false, failure: { reason: 'invalid' } });
    expect(await verify(`Bearer ${token}`)).toMatchObject({ ok: true });
    const other = await signToken('o'.repeat(40), { tenant: 'school', userId: 'anne' });
    expect(await verify(`Bearer ${other}`)).toMatchObject({ ok: false });
  });

  it('an actor taken from memory cannot be changed by one request for the next', async () => {
    const verify = createVerifier({ secret: SECRET });
    const token = await signToken(SECRET, { tenant: 'school', userId: 'anne', scope: 'events:read' });
    const a = await verify(`Bearer ${token}`);
    if (!a.ok) throw new Error('refused');
    expect(() => (a.actor.scopes as string[]).push('directory:write')).toThrow();
    const b = await verify(`Bearer ${token}`);
    expect(b.ok && b.actor.scopes).toEqual(['events:read']);
  });
});
