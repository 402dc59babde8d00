import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let doc: { paths: Record<string, Record<string, { operationId?: string; tags?: string[]; responses: Record<string, { content?: Record<string, unknown> }> }>>; components: { schemas: Record<string, unknown> } };
beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
  doc = (await h.request('GET', '/openapi.json')).json;
});
afterAll(async () => h.stop());

const pathOf = (url: string) => url.replace(/:(\w+)/g, '{$1}');

/** The operation a request was answered by: its method and the documented path template it matches. */
const operationFor = (method: string, url: string) => {
  const path = new URL(url, 'http://x').pathname;
  for (const [template, methods] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(path) && methods[method.toLowerCase()]) return { template, operation: methods[method.toLowerCase()]! };
  }
  return undefined;
};

describe('the OpenAPI document is the contract', () => {
  it('lists every route the server registers, each with an operationId and a tag', () => {
    const routes = (h.running.server as unknown as { registeredRoutes: { method: string; url: string; hidden: boolean }[] }).registeredRoutes.filter(
      (r) => !r.hidden && r.method !== 'HEAD' && !r.url.startsWith('/docs'),
    );
    expect(routes.length).toBeGreaterThan(20);
    const ids = new Set<string>();
    for (const r of routes) {
      const operation = doc.paths[pathOf(r.url)]?.[r.method.toLowerCase()];
      expect(operation, `${r.method} ${r.url}`).toBeDefined();
      expect(operation!.operationId, `${r.method} ${r.url}`).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation!.tags?.length, `${r.method} ${r.url}`).toBeGreaterThan(0);
      ids.add(operation!.operationId!);
    }
    expect(ids.size).toBe(routes.length);
  });

  it('declares problems once, as application/problem+json, and the uploads as multipart with meta and file', () => {
    expect(doc.components.schemas.Problem).toMatchObject({ required: ['type', 'title', 'status', 'detail'] });
    const deposit = doc.paths['/v1/documents']!.post as unknown as { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } };
    // An upload only: a file from a linked cloud account has its own operation (POST /v1/documents/from-cloud).
    expect(Object.keys(deposit.requestBody.content)).toEqual(['multipart/form-data']);
    // One or more files, each its own document.
    expect(deposit.requestBody.content['multipart/form-data']!.schema.properties).toMatchObject({ meta: { oneOf: [{ type: 'object' }, { type: 'string', contentMediaType: 'application/json' }] }, file: { oneOf: [{ type: 'string', format: 'binary' }, { type: 'array', items: { type: 'string', format: 'binary' }, minItems: 1 }] } });
    const newVersion = doc.paths['/v1/documents/{id}/content']!.put as unknown as typeof deposit;
    expect(newVersion.requestBody.content['multipart/form-data']!.schema.properties).toMatchObject({ file: { type: 'string', format: 'binary' } });
    expect(doc.paths['/v1/documents/{id}/content']!.get!.responses['206']!.content).toEqual({ '*/*': { schema: { type: 'string', format: 'binary' } } });
  });

  it('answers only what it documents: every status of a seed scenario, refusals included, is listed for its operation', async () => {
    const category = await h.createCategory('Contract');
    const calls: [string, string, Parameters<Harness['request']>[2]][] = [];
    const call = async (method: string, url: string, opts: Parameters<Harness['request']>[2] = {}) => {
      calls.push([method, url, opts]);
      return h.request(method, url, opts);
    };
    const deposited = await call('POST', '/v1/documents', { as: 'anne', body: h.form({ recipients: { users: ['marc'] }, categoryId: category }, { content: 'bytes' }) });
    const id = deposited.json.id as string;
    const answers = [
      deposited,
      await call('POST', '/v1/documents', { as: 'anne', body: h.form({ recipients: { users: ['leo'] }, categoryId: category }) }),
      await call('GET', '/v1/locker', { as: 'marc' }),
      await call('GET', `/v1/documents/${id}`, { as: 'marc' }),
      await call('GET', `/v1/documents/${id}/content`, { as: 'marc', headers: { range: 'bytes=0-1' } }),
      await call('GET', `/v1/documents/${id}/content`, { as: 'marc', headers: { range: 'bytes=99-' } }),
      await call('PATCH', `/v1/documents/${id}`, { as: 'marc', json: { memo: 'x' } }),
      await call('POST', `/v1/documents/${id}/recipients`, { as: 'anne', json: { users: ['sophie'] } }),
      await call('GET', '/v1/distribution', { as: 'anne' }),
      await call('GET', '/v1/audit/events?limit=5', { as: 'auditor' }),
      await call('GET', '/v1/audit/events?after=99999999999999999999', { as: 'auditor' }),
      await call('GET', '/v1/settings', { as: 'anne' }),
      await call('DELETE', `/v1/documents/${id}`, { as: 'anne' }),
      await call('GET', `/v1/documents/${id}`, { as: 'marc' }),
    ];
    answers.forEach((res, i) => {
      const [method, url] = calls[i]!;
      const found = operationFor(method, url);
      expect(found, `${method} ${url}`).toBeDefined();
      const documented = found!.operation.responses[String(res.status)];
      expect(documented, `${method} ${url} answered ${res.status}, which ${found!.template} does not list`).toBeDefined();
      if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  });
});
