import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

// Issue 36: only /console serves HTML. Every GET route the server registers is asked, with and
// without a token, and none but the console's answers text/html; Swagger UI is there only when a
// deployment turns it on.

const htmlAnswers = async (h: Harness, token: string) => {
  const routes = (h.running.server as unknown as { registeredRoutes: { method: string; url: string }[] }).registeredRoutes;
  const paths = [...new Set(routes.filter((r) => r.method === 'GET' || (Array.isArray(r.method) && r.method.includes('GET'))).map((r) => r.url.replace(/:(\w+)/g, 'x').replace(/\*$/, 'index.html')))];
  const html: string[] = [];
  for (const path of [...paths, '/no-such-page', '/v1/documents/x/content', '/docs']) {
    for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
      // An event stream never ends: its headers are all this needs.
      const res = await fetch(`${h.url}${path}`, { headers: { ...headers, accept: 'text/html' }, redirect: 'manual', signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      if (res?.headers.get('content-type')?.startsWith('text/html')) html.push(path);
      await res?.body?.cancel().catch(() => undefined);
    }
  }
  return [...new Set(html)].sort();
};

describe('HTML is served at /console only', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.importDirectory();
  });
  afterAll(() => h.stop());

  it('no route but the console answers text/html, asked for it, with a token or without', async () => {
    const html = await htmlAnswers(h, await h.token('admin'));
    expect(html.every((p) => p.startsWith('/console/'))).toBe(true);
    expect((await fetch(`${h.url}/docs`)).status).toBe(404);
  });

  it('Swagger UI at /docs only where LOCKER_API_DOCS_UI=true', async () => {
    const withDocs = await startHarness({ LOCKER_API_DOCS_UI: 'true' });
    try {
      const docs = await fetch(`${withDocs.url}/docs`, { redirect: 'follow' });
      expect(docs.status).toBe(200);
      expect(await docs.text()).toMatch(/swagger/i);
      expect(await (await fetch(`${withDocs.url}/`)).json()).toMatchObject({ docs: '/docs' });
    } finally {
      await withDocs.stop();
    }
  });
});
