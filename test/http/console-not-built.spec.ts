import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { consolePolicy, consoleRoutes } from '../../src/adapters/http/console.js';

// A server whose console was never built (`npm run build` not run) serves the API on and says so
// at /console, as a problem, with the page's headers all the same.

describe('/console before the console is built', () => {
  it('answers 503 CONSOLE_NOT_BUILT, with the console’s CSP; the config says how people sign in', async () => {
    const app = Fastify();
    await app.register(consoleRoutes({ dir: undefined, oidc: { issuer: 'https://idp.example/realms/school', clientId: 'locker-console' } }));
    try {
      const page = await app.inject({ method: 'GET', url: '/console/' });
      expect(page.statusCode).toBe(503);
      expect(page.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(page.json()).toMatchObject({ code: 'CONSOLE_NOT_BUILT', detail: expect.stringMatching(/npm run build/) });
      expect(page.headers['content-security-policy']).toBe(consolePolicy('https://idp.example/realms/school'));
      expect(page.headers['content-security-policy']).toContain("connect-src 'self' https://idp.example;");
      expect((await app.inject({ method: 'GET', url: '/console/config.json' })).json()).toEqual({ oidc: { issuer: 'https://idp.example/realms/school', clientId: 'locker-console' } });
      expect((await app.inject({ method: 'GET', url: '/console' })).headers.location).toBe('/console/');
    } finally {
      await app.close();
    }
  });
});
