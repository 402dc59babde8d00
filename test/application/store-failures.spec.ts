import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erasures } from '../../src/application/use-cases/erasure.js';
import { snapshots } from '../../src/application/use-cases/snapshots.js';
import { webhooks } from '../../src/application/use-cases/webhooks.js';
import { fetchWebhookSender } from '../../src/adapters/webhooks/fetch-webhook-sender.js';
import { schoolDirectory } from '../support/fixtures.js';
import { as, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

// A store that fails under a use case is a 503 that names the store, never a 500 and never an
// answer as if nothing were there: each store's own wording, one use case each (issue 37).

describe('a store that fails under a use case says which store', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await embeddedApp({ env: { LOCKER_SNAPSHOT_EVERY_MINUTES: '60', LOCKER_NODE_ID: 'node-1' } });
  });
  afterAll(() => app.stop());
  const broken = (what: string) => () => Promise.reject(new Error(`${what} is down`));

  it('the key store, while a departed person is erased', async () => {
    const synced = await app.useCases.syncDirectory(as('s', 'school', ['directory:write']), { ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'paul'), classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'paul') })) });
    expect(synced.isOk(), JSON.stringify(synced)).toBe(true);
    const keys = { ...app.deps.keys, shred: broken('the vault') };
    expect((await erasures({ ...app.deps, keys }).erase(as('admin'), 'paul'))._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: 'the key store: the vault is down' });
  });

  it('the read models, while a copy of them is taken', async () => {
    const readModels = Object.assign(Object.create(Object.getPrototypeOf(app.deps.readModels)), app.deps.readModels, { copy: broken('the disk') });
    expect((await snapshots({ ...app.deps, readModels }).take('node-1'))._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: "the read models' copy: the disk is down" });
  });

  it('the credential store, while a webhook’s secret is kept', async () => {
    const credentials = { ...app.deps.credentials!, put: broken('the secrets vault') };
    const hooks = webhooks({ ...app.deps, credentials }, fetchWebhookSender({ timeoutMs: 2000, allowedHosts: ['127.0.0.1'] }), {
      holder: 'node-1', allowedHosts: ['127.0.0.1'], retryBaseMs: 1000, retryMaxMs: 1000, disableAfterMs: 60_000, leaseMs: 60_000, concurrency: 1,
    });
    expect((await hooks.register(as('admin'), { url: 'http://127.0.0.1:9/hooks', events: ['*'] }))._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: 'the credential store: the secrets vault is down' });
  });
});
