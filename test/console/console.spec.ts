import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SignJWT } from 'jose';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, startHarness, startSchool, type Harness } from '../support/harness.js';
import { schoolDirectory } from '../support/fixtures.js';

// The console in a real browser (Debian's chromium through playwright-core): signing in with the
// embedded link, an auditor's timeline and locker as of a date, an admin's rollover from its dry run
// to its report, an erased person shown as erased; axe on every page, a screenshot of each.

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) console.warn('console tests skipped: no chromium (apt-get install chromium; .ci/run installs it)');
const ROOT = join(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-results/console');
const BIN = join(ROOT, 'bin/locker.js');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

describe.skipIf(!CHROMIUM)('the console in a browser', () => {
  let h: Harness;
  let browser: Browser;
  let documentId: string;
  const problems: string[] = [];

  /** The link `locker console` prints, as an operator would run it beside the server. */
  const link = (user: string, ttl = 600) => {
    const r = spawnSync(process.execPath, [BIN, 'console', '--tenant', 'school', '--user', user, '--ttl', String(ttl)], {
      env: { PATH: process.env.PATH, LOCKER_DATA_DIR: h.dataDir, LOCKER_JWT_SECRET: SECRET, LOCKER_PUBLIC_URL: h.url, LOCKER_LOG_LEVEL: 'silent', LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`locker console failed: ${r.stderr}`);
    return r.stdout.trim();
  };

  const open = async (user: string, locale = 'en-GB'): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${user}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${user}: ${e.message}`));
    await page.goto(link(user));
    return { context, page };
  };

  /** No serious or critical violation; the page's screenshot into the test output. */
  const check = async (page: Page, name: string) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    // Evaluated through the browser's protocol, not as a script of the page: the CSP stays as served.
    await page.evaluate(AXE);
    // Strings, evaluated in the page: this file is compiled without the DOM's types.
    const violations = (await page.evaluate('axe.run(document).then((r) => r.violations)')) as AxeViolation[];
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  };

  beforeAll(async () => {
    await build({ configFile: join(ROOT, 'console/vite.config.ts'), logLevel: 'warn' });
    const school = await startSchool();
    h = school.h;
    const deposited = await h.deposit('anne', { recipients: { users: ['marc', 'sophie'], classes: [] }, categoryId: school.category, title: 'Council minutes' });
    documentId = deposited.json.id;
    expect((await h.request('GET', `/v1/documents/${documentId}/content`, { as: 'marc' })).status).toBe(200);
    // Sophie leaves the school and is erased: her name is gone, her part in the history stays.
    await h.importDirectory('school', { ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'sophie'), classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'sophie') })) });
    expect((await h.request('POST', '/v1/erasures', { as: 'admin', json: { userId: 'sophie' } })).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('serves the page with a CSP that allows nothing inline, and only under /console', async () => {
    const page = await fetch(`${h.url}/console/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await page.text()).not.toMatch(/<script>(?!<\/script>)|style="/);
    expect((await fetch(`${h.url}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
    expect(await (await fetch(`${h.url}/console/config.json`)).json()).toEqual({ oidc: null });
    // Elsewhere the API answers JSON, a missing page included.
    expect((await fetch(`${h.url}/nothing-here`)).headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('an auditor signs in with the link (which leaves the address at once), opens a document’s timeline and a locker as of a date; the erased person reads as erased', async () => {
    const { context, page } = await open('auditor');
    await expect.poll(() => page.url()).not.toContain('token');
    expect(await page.evaluate('location.hash')).toBe('');
    await page.getByText('Signed in as auditor (school)').waitFor();
    await check(page, 'signed-in');

    await page.getByLabel('Document id').fill(documentId);
    await page.getByRole('button', { name: 'Show' }).click();
    const timeline = page.getByRole('table', { name: 'Document timeline' });
    await timeline.waitFor();
    const rows = await timeline.locator('tbody tr').allInnerTexts();
    expect(rows.some((r) => r.includes('DocumentDeposited') && r.includes('anne'))).toBe(true);
    expect(rows.some((r) => r.includes('DocumentConsulted') && r.includes('marc'))).toBe(true);
    const recipients = page.getByRole('table', { name: 'Recipients as of that moment' });
    expect(await recipients.locator('tr', { hasText: 'marc' }).innerText()).toMatch(/marc\s+1\s+none/);
    expect(await recipients.locator('tr', { hasText: 'sophie' }).innerText()).toContain('erased');
    expect(page.url()).toBe(`${h.url}/console/`);
    await check(page, 'document-timeline');

    await page.getByRole('button', { name: 'Locker as of a date' }).click();
    await page.getByLabel('Person (user id)').fill('marc');
    await page.getByLabel('As of (date)').fill(new Date().toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('table', { name: 'In the locker then' }).waitFor();
    expect(await page.getByRole('table', { name: 'In the locker then' }).innerText()).toContain('Council minutes');
    expect(page.url()).toBe(`${h.url}/console/`);
    await check(page, 'locker-as-of');
    await context.close();
  });

  it('an auditor filters the history and exports it as CSV, and has the server verify the chain, watching it to its verdict', async () => {
    (await h.running.app.useCases.notarize())._unsafeUnwrap();
    const { context, page } = await open('auditor');
    await page.getByRole('button', { name: 'The school’s history' }).click();
    await page.getByLabel('Actor (user id)').fill('marc');
    await page.getByRole('button', { name: 'Show' }).click();
    const table = page.getByRole('table', { name: 'The school’s history' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('marc'))).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('at,actor,type,stream,revision,id');
    expect(csv.filter((l) => l.includes(',marc,')).length).toBe(rows.length);
    await check(page, 'history');

    await page.getByRole('button', { name: 'Audit chain' }).click();
    await page.getByText('Last signed checkpoint').waitFor();
    const [kept] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the checkpoints to keep' }).click()]);
    const saved = JSON.parse(readFileSync((await kept.path())!, 'utf8'));
    expect(saved.checkpoints[0]).toMatchObject({ tenant: 'school' });
    expect(saved.publicKey).toContain('BEGIN PUBLIC KEY');
    await page.getByRole('button', { name: 'Verify the chain now (on the server)' }).click();
    await page.getByTestId('verdict').waitFor();
    expect(await page.getByTestId('verdict').innerText()).toContain('The chain holds');
    await check(page, 'audit-chain');
    await context.close();
  });

  it('an admin reads the directory, the categories and settings, and the health of deliveries', async () => {
    const { context, page } = await open('admin');
    await page.getByRole('button', { name: 'Directory' }).click();
    await page.getByRole('table', { name: 'People' }).waitFor();
    expect(await page.getByRole('table', { name: 'People' }).innerText()).toContain('Anne Martin');
    expect(await page.getByRole('table', { name: 'People' }).innerText()).not.toContain('sophie');
    await check(page, 'directory');
    await page.getByRole('button', { name: 'Categories' }).click();
    await page.getByRole('table', { name: 'Categories' }).waitFor();
    expect(await page.getByRole('table', { name: 'Categories' }).innerText()).toContain('Council minutes');
    await page.getByText('Current school year').waitFor();
    await check(page, 'categories-and-settings');
    await page.getByRole('button', { name: 'Health' }).click();
    await page.getByRole('table', { name: 'Erasures' }).waitFor();
    expect(await page.getByRole('table', { name: 'Erasures' }).innerText()).toContain('sophie');
    await check(page, 'health');
    await context.close();
  });

  it('an admin runs a rollover dry run, then the real one, and watches its progress reach the report', async () => {
    const { context, page } = await open('admin');
    await page.getByRole('button', { name: 'School-year rollover' }).click();
    await page.getByRole('button', { name: 'Dry run: what would be carried' }).click();
    await page.getByTestId('report').waitFor();
    expect(await page.getByTestId('report').innerText()).toContain('A dry run: nothing was written.');
    expect(await page.getByTestId('carried').innerText()).toBe('1');
    await check(page, 'rollover-dry-run');

    await page.getByRole('button', { name: 'Run the rollover' }).click();
    await page.getByTestId('report').waitFor();
    await expect.poll(async () => (await page.getByTestId('report').innerText()).includes('A dry run')).toBe(false);
    expect(await page.getByTestId('carried').innerText()).toBe('1');
    expect(await page.getByTestId('examined').innerText()).toBe('1 of 1 documents examined');
    await check(page, 'rollover-report');
    await context.close();
  });

  it('a tab holds the token no longer than it lives: at its expiry the page signs out and forgets it', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(link('auditor', 3));
    await page.getByText('Signed in as auditor (school)').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(1);
    await page.getByText('Your session has ended').waitFor({ timeout: 10_000 });
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.reload();
    await page.getByText('You are not signed in').waitFor();
    await context.close();
  });

  it('speaks French to a French browser', async () => {
    const { context, page } = await open('auditor', 'fr-FR');
    await page.getByRole('heading', { name: 'Historique d’un document' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('fr');
    await check(page, 'fr');
    await context.close();
  });

  it('logged no error and no refused resource in any page', () => {
    expect(problems.join('\n')).toBe('');
  });
});

/**
 * A school's identity provider, as small as OpenID Connect's code flow with PKCE allows: discovery,
 * an authorization endpoint that signs in `user` at once, and a token endpoint that checks the
 * verifier against the challenge before it hands out an RS256 access token.
 */
const identityProvider = async (user: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const seen: { authorize: URLSearchParams[]; token: URLSearchParams[] } = { authorize: [], token: [] };
  let issuer = '';
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, issuer);
    res.setHeader('access-control-allow-origin', '*');
    if (url.pathname === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token` }));
    }
    if (url.pathname === '/authorize') {
      seen.authorize.push(url.searchParams);
      const code = `code-${codes.size}`;
      codes.set(code, { challenge: url.searchParams.get('code_challenge')!, redirectUri: url.searchParams.get('redirect_uri')! });
      res.writeHead(302, { location: `${url.searchParams.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(url.searchParams.get('state')!)}` });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      seen.token.push(form);
      const pending = codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!pending || pending.challenge !== challenge || pending.redirectUri !== form.get('redirect_uri')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'invalid_grant' }));
      }
      codes.delete(form.get('code')!);
      const token = await new SignJWT({ tenant: 'school' }).setProtectedHeader({ alg: 'RS256' }).setSubject(user).setIssuer(issuer).setIssuedAt().setExpirationTime('10m').sign(privateKey);
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 }));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { issuer, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), seen, stop: () => new Promise((r) => server.close(r)) };
};

describe.skipIf(!CHROMIUM)('the console, hosted: signing in through the school’s identity provider', () => {
  it('the authorization code flow with PKCE: the provider’s token opens the console, and the code leaves the address', async () => {
    const idp = await identityProvider('auditor');
    const h = await startHarness({ LOCKER_JWT_PUBLIC_KEY: idp.publicKeyPem, LOCKER_JWT_ISSUER: idp.issuer, LOCKER_OIDC_ISSUER: idp.issuer, LOCKER_OIDC_CLIENT_ID: 'locker-console' });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      await build({ configFile: join(ROOT, 'console/vite.config.ts'), logLevel: 'warn' });
      (await h.running.app.useCases.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const served = await fetch(`${h.url}/console/`);
      expect(served.headers.get('content-security-policy')).toContain(`connect-src 'self' ${idp.issuer}`);
      const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
      await page.goto(`${h.url}/console/`);
      await page.getByRole('button', { name: 'Sign in with the school’s account' }).click();
      await page.getByText('Signed in as auditor (school)').waitFor();
      expect(page.url()).toBe(`${h.url}/console/`);
      const asked = idp.seen.authorize[0]!;
      expect(Object.fromEntries(asked)).toMatchObject({ response_type: 'code', client_id: 'locker-console', code_challenge_method: 'S256', redirect_uri: `${h.url}/console/` });
      expect(idp.seen.token[0]!.get('grant_type')).toBe('authorization_code');
      // The token works against the API: the history opens.
      await page.getByRole('button', { name: 'The school’s history' }).click();
      await page.getByRole('button', { name: 'Show' }).click();
      await page.getByRole('table', { name: 'The school’s history' }).waitFor();
      expect(await page.getByRole('table', { name: 'The school’s history' }).innerText()).toContain('DirectorySynced');
    } finally {
      await browser.close();
      await h.stop();
      await idp.stop();
    }
  });
});
