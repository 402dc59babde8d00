import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

/**
 * What another service gets from the served `/openapi.json` with two common generators (issue 32):
 * openapi-typescript + openapi-fetch, and @hey-api/openapi-ts. Each client is generated, type-checked
 * by `tsc --strict`, and deposits (one file, two files) and uploads a new version; then Prism, as a
 * validating proxy, finds no difference between the document and what the server takes and
 * answers over the README's walkthrough. The tools are installed, pinned, outside the repository.
 */
const TOOLS = ['openapi-typescript@7.13.0', 'openapi-fetch@0.17.0', '@hey-api/openapi-ts@0.99.0', '@stoplight/prism-cli@5.16.0', 'typescript@5.9.3', '@types/node@24.19.4'];
const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const run = (command: string, args: string[], cwd: string, extra: Record<string, string> = {}) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });

// openapi-typescript's documented way to type uploads: a binary schema is a Blob.
const GEN_TYPES = `
import openapiTS, { astToString } from 'openapi-typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
const ast = await openapiTS(JSON.parse(readFileSync('openapi.json', 'utf8')), { transform: (schema) => (schema.format === 'binary' ? BLOB : undefined) });
writeFileSync('schema.ts', astToString(ast));
`;

const FETCH_CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.ts';

const { LOCKER_URL, TOKEN, CATEGORY, RECIPIENT } = process.env as Record<string, string>;
const client = createClient<paths>({ baseUrl: LOCKER_URL, headers: { authorization: \`Bearer \${TOKEN}\` } });
type Deposit = paths['/v1/documents']['post']['requestBody']['content']['multipart/form-data'];
// openapi-fetch's documented way to send multipart: a body serializer that makes the FormData.
const multipart = (body: Deposit) => {
  const form = new FormData();
  form.append('meta', typeof body.meta === 'string' ? body.meta : JSON.stringify(body.meta));
  for (const file of Array.isArray(body.file) ? body.file : [body.file]) form.append('file', file);
  return form;
};
const one = await client.POST('/v1/documents', { body: { meta: { recipients: { users: [RECIPIENT] }, categoryId: CATEGORY, title: 'From openapi-fetch' }, file: new File(['hello'], 'hello.txt', { type: 'text/plain' }) }, bodySerializer: multipart });
const two = await client.POST('/v1/documents', { body: { meta: { recipients: { users: [RECIPIENT] }, categoryId: CATEGORY }, file: [new File(['a'], 'a.txt'), new File(['b'], 'b.txt')] }, bodySerializer: multipart });
const id = one.data && 'id' in one.data ? one.data.id : '';
const version = await client.PUT('/v1/documents/{id}/content', {
  params: { path: { id }, query: { minor: 'false' } },
  body: { file: new File(['hello again'], 'hello.txt', { type: 'text/plain' }) },
  bodySerializer: (body) => {
    const form = new FormData();
    form.append('file', body.file);
    return form;
  },
});
const mine = await client.GET('/v1/distribution', { params: { query: { limit: 20 } } });
console.log(JSON.stringify({ one: one.response.status, two: two.response.status, documents: two.data && 'documents' in two.data ? two.data.documents.length : 0, version: version.data?.version, listed: mine.data?.items.length }));
`;

const HEY_CLIENT = `
import { client } from './hey/client.gen.ts';
import { depositDocument, myDistribution, uploadNewVersion } from './hey/sdk.gen.ts';

const { LOCKER_URL, TOKEN, CATEGORY, RECIPIENT } = process.env as Record<string, string>;
client.setConfig({ baseUrl: LOCKER_URL, auth: () => TOKEN });
const one = await depositDocument({ body: { meta: { recipients: { users: [RECIPIENT] }, categoryId: CATEGORY, title: 'From hey-api' }, file: new File(['hello'], 'hello.txt', { type: 'text/plain' }) } });
const two = await depositDocument({ body: { meta: { recipients: { users: [RECIPIENT] }, categoryId: CATEGORY }, file: [new File(['a'], 'a.txt'), new File(['b'], 'b.txt')] } });
const id = one.data && 'id' in one.data ? one.data.id : '';
const version = await uploadNewVersion({ path: { id }, body: { file: new File(['hello again'], 'hello.txt', { type: 'text/plain' }) } });
const mine = await myDistribution({ query: { limit: 20 } });
console.log(JSON.stringify({ one: one.response?.status, two: two.response?.status, documents: two.data && 'documents' in two.data ? two.data.documents.length : 0, version: version.data?.version, listed: mine.data?.items.length }));
`;

const TSCONFIG = { compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', lib: ['es2023', 'dom'], allowImportingTsExtensions: true, skipLibCheck: true, types: ['node'] }, files: ['fetch-client.ts', 'hey-client.ts'] };

let h: Harness;
let category: string;
let dir: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
  dir = mkdtempSync(join(tmpdir(), 'locker-generated-clients-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'generated-clients', private: true, type: 'module' }));
  run('npm', ['install', ...TOOLS], dir);
  writeFileSync(join(dir, 'openapi.json'), (await h.request('GET', '/openapi.json')).text);
  writeFileSync(join(dir, 'gen-types.mjs'), GEN_TYPES);
  writeFileSync(join(dir, 'openapi-ts.config.mjs'), "export default { input: 'openapi.json', output: { path: 'hey', importFileExtension: '.ts' }, plugins: ['@hey-api/client-fetch'] };\n");
  writeFileSync(join(dir, 'fetch-client.ts'), FETCH_CLIENT);
  writeFileSync(join(dir, 'hey-client.ts'), HEY_CLIENT);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  run(process.execPath, ['gen-types.mjs'], dir);
  run(process.execPath, ['node_modules/@hey-api/openapi-ts/bin/run.js'], dir);
}, 300_000);
afterAll(async () => {
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('clients generated from /openapi.json', () => {
  it('type-check under tsc --strict, with no cast', () => {
    expect(() => run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], dir)).not.toThrow();
  }, 120_000);

  it.each(['fetch-client.ts', 'hey-client.ts'])('%s deposits one file and two, and uploads a new version', async (program) => {
    // Not execFileSync: the server answering it runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, [program], { cwd: dir, env: { ...env, LOCKER_URL: h.url, TOKEN: await h.token('anne'), CATEGORY: category, RECIPIENT: 'marc' }, timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ one: 201, two: 201, documents: 2, version: 2 });
  }, 60_000);
});

describe('Prism, validating requests and answers against the served document', () => {
  it('finds no difference over the walkthrough', async () => {
    const port = 4000 + Math.floor(Math.random() * 2000);
    const prism = spawn(process.execPath, ['node_modules/@stoplight/prism-cli/dist/index.js', 'proxy', 'openapi.json', h.url, '--errors', '-h', '127.0.0.1', '-p', String(port)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    prism.stdout.on('data', (d) => (log += d));
    prism.stderr.on('data', (d) => (log += d));
    try {
      await expect.poll(() => /listening on/.test(log), { timeout: 60_000, interval: 200 }).toBe(true);
      const api = `http://127.0.0.1:${port}`;
      const tokens = { admin: await h.token('admin'), anne: await h.token('anne'), marc: await h.token('marc'), sophie: await h.token('sophie'), auditor: await h.token('auditor') };
      const call = async (who: keyof typeof tokens, method: string, path: string, body?: FormData | string, type?: string) => {
        const res = await fetch(`${api}${path}`, { method, body, headers: { authorization: `Bearer ${tokens[who]}`, ...(type ? { 'content-type': type } : {}) } });
        const text = await res.text();
        return { status: res.status, violations: res.headers.get('sl-violations'), text };
      };
      const form = (parts: [string, Blob | string][]) => {
        const f = new FormData();
        for (const [name, value] of parts) f.append(name, value);
        return f;
      };
      const steps: { step: string; status: number; violations: string | null; text: string }[] = [];
      const step = async (name: string, pending: ReturnType<typeof call>) => {
        const r = await pending;
        steps.push({ step: name, ...r });
        return r;
      };
      const cat = await step('create a category', call('admin', 'POST', '/v1/categories', JSON.stringify({ designation: 'Class council minutes' }), 'application/json'));
      const categoryId = JSON.parse(cat.text).id;
      const meta = JSON.stringify({ recipients: { users: ['paul'], classes: ['4b'] }, categoryId, memo: 'Please read before Monday' });
      const doc = await step('deposit (meta as text)', call('anne', 'POST', '/v1/documents', form([['meta', meta], ['file', new File(['Minutes'], 'minutes.txt', { type: 'text/plain' })]])));
      const id = JSON.parse(doc.text).id;
      await step('deposit (meta as a JSON part, two files)', call('anne', 'POST', '/v1/documents', form([['meta', new Blob([meta], { type: 'application/json' })], ['file', new File(['a'], 'a.txt')], ['file', new File(['b'], 'b.txt')]])));
      await step('the locker', call('marc', 'GET', '/v1/locker'));
      await step('the notifications', call('marc', 'GET', '/v1/notifications'));
      await step('the document', call('marc', 'GET', `/v1/documents/${id}`));
      await step('its content', call('marc', 'GET', `/v1/documents/${id}/content`));
      await step('a recipient added', call('anne', 'POST', `/v1/documents/${id}/recipients`, JSON.stringify({ users: ['sophie'] }), 'application/json'));
      await step('a new version', call('anne', 'PUT', `/v1/documents/${id}/content`, form([['file', new File(['Minutes (corrected)'], 'minutes.txt', { type: 'text/plain' })]])));
      await step('the distribution', call('anne', 'GET', '/v1/distribution'));
      await step('the receipts', call('anne', 'GET', `/v1/documents/${id}/receipts`));
      await step('deleted for all', call('anne', 'DELETE', `/v1/documents/${id}`));
      await step('gone for a recipient', call('sophie', 'GET', `/v1/documents/${id}`));
      await step('the audit', call('auditor', 'GET', '/v1/audit/events?limit=100'));
      await step('a document’s history', call('auditor', 'GET', `/v1/audit/documents/${id}/history`));
      await step('a refusal: no token', fetch(`${api}/v1/locker`).then(async (res) => ({ status: res.status, violations: res.headers.get('sl-violations'), text: await res.text() })));
      expect(steps.map((s) => [s.step, s.status, s.violations])).toEqual([
        ['create a category', 201, null],
        ['deposit (meta as text)', 201, null],
        ['deposit (meta as a JSON part, two files)', 201, null],
        ['the locker', 200, null],
        ['the notifications', 200, null],
        ['the document', 200, null],
        ['its content', 200, null],
        ['a recipient added', 200, null],
        ['a new version', 200, null],
        ['the distribution', 200, null],
        ['the receipts', 200, null],
        ['deleted for all', 204, null],
        ['gone for a recipient', 404, null],
        ['the audit', 200, null],
        ['a document’s history', 200, null],
        ['a refusal: no token', 401, null],
      ]);
      // The proxy does validate: a request the document does not allow is refused by Prism itself.
      const invalid = await call('anne', 'POST', '/v1/categories', JSON.stringify({ name: 'no designation' }), 'application/json');
      expect([invalid.status, JSON.parse(invalid.text).type]).toEqual([422, 'https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY']);
    } finally {
      prism.kill();
    }
  }, 120_000);
});
