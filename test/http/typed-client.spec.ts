// The client's sources: what its package builds to dist/ (the pack test installs that).
import { createLockerClient } from '../../clients/typescript/src/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
});
afterAll(async () => h.stop());

describe('the typed client generated from the OpenAPI document', () => {
  it('drives the seed scenario: deposit with a file, list, download, new version, delete', async () => {
    const as = (user: string) => createLockerClient(h.url, () => h.token(user));
    const admin = as('admin');
    const anne = as('anne');
    const marc = as('marc');

    const category = await admin.POST('/v1/categories', { body: { designation: 'Council minutes' } });
    expect(category.response.status).toBe(201);
    const categoryId = category.data!.id;

    const deposit = await anne.POST('/v1/documents', {
      body: { meta: { recipients: { users: ['paul'], classes: ['4b'] }, categoryId, memo: 'Please read' }, file: [new File(['Minutes v1'], 'minutes.txt', { type: 'text/plain' })] },
    });
    expect(deposit.response.status).toBe(201);
    // One file answers its document; several would answer `{documents}`.
    const created = deposit.data!;
    expect('id' in created).toBe(true);
    const id = 'id' in created ? created.id : '';
    expect(deposit.data).toMatchObject({ title: 'minutes.txt', version: 1, recipients: ['marc', 'paul', 'sophie'] });

    const locker = await marc.GET('/v1/locker', { params: { query: { limit: 10 } } });
    expect(locker.data!.items.map((i) => i.id)).toContain(id);

    const content = await marc.GET('/v1/documents/{id}/content', { params: { path: { id }, query: {} }, parseAs: 'text' });
    expect(content.data).toBe('Minutes v1');

    const v2 = await anne.PUT('/v1/documents/{id}/content', { params: { path: { id } }, body: { file: new File(['Minutes v2'], 'minutes-v2.txt') } });
    expect(v2.data).toMatchObject({ version: 2, fileName: 'minutes-v2.txt' });

    const refused = await marc.DELETE('/v1/documents/{id}', { params: { path: { id } } });
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ code: 'NOT_DEPOSITOR', status: 403 });

    // Several files at once: one document each, all or none.
    const several = await anne.POST('/v1/documents', {
      body: { meta: { recipients: { users: ['marc'] }, categoryId }, file: [new File(['one'], 'one.txt'), new Blob(['two'], { type: 'text/plain' })] },
    });
    expect(several.response.status).toBe(201);
    expect(several.data && 'documents' in several.data ? several.data.documents.map((d) => d.fileName) : []).toEqual(['one.txt', 'file']);
    expect((await anne.DELETE('/v1/documents/{id}', { params: { path: { id } } })).response.status).toBe(204);
    expect((await marc.GET('/v1/documents/{id}', { params: { path: { id } } })).response.status).toBe(404);
  });
});

describe('the committed OpenAPI document', () => {
  it('is the one the server serves (run `npm run openapi` after changing a route)', async () => {
    const { readFileSync } = await import('node:fs');
    const committed = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual((await h.request('GET', '/openapi.json')).json);
  });
});
