import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { createVerifier } from '../../src/adapters/http/auth.js';
import { signToken } from '../../src/adapters/shared/tokens.js';
import { buildServer } from '../../src/adapters/http/server.js';
import { compose } from '../../src/composition/compose.js';
import { EsdbEventStore, packPosition, unpackPosition } from '../../src/adapters/eventstoredb/esdb-event-store.js';
import { startBlackHole } from '../support/black-hole.js';
import { eventStoreDb } from '../support/containers.js';
import { eventStoreContract } from './event-store.contract.js';

const SECRET = 'x'.repeat(40);
const server = await eventStoreDb();
eventStoreContract(
  'EventStoreDB',
  'skip' in server
    ? server
    : async () => {
        const store = new EsdbEventStore(server.url, { timeoutMs: 10_000 });
        return { store, cleanup: async () => (await store.close(), await server.stop()) };
      },
);

describe('EventStoreDB adapter without a server', () => {
  // A port that accepts TCP and never answers: the client alone would wait forever.
  let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
  let url: string;
  beforeAll(async () => {
    blackHole = await startBlackHole();
    url = `esdb://127.0.0.1:${blackHole.port}?tls=false`;
  });
  afterAll(async () => blackHole.stop());

  it('bounds every call by its timeout and answers STORE_UNAVAILABLE', async () => {
    const store = new EsdbEventStore(url, { timeoutMs: 300 });
    const started = Date.now();
    const results = await Promise.all([
      store.ping(),
      store.readStream('school:document:x'),
      store.readAll({ limit: 10 }),
      store.append('school:document:x', [{ id: '00000000-0000-4000-8000-000000000000', type: 'T', data: {}, meta: { actor: 'a', at: 'now', tenant: 'school', schemaVersion: 1 } }], 'no-stream'),
    ]);
    for (const r of results) expect(r._unsafeUnwrapErr().code).toBe('STORE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(10_000);
    void store.close().catch(() => undefined);
  });

  it('a dead server gives a failing /ready and 503 problems, never a hung request', async () => {
    const app = await compose(
      loadConfig({ LOCKER_DATA_DIR: mkdtempSync(join(tmpdir(), 'locker-dead-')), LOCKER_EVENT_STORE: 'eventstoredb', LOCKER_EVENTSTORE_URL: url, LOCKER_STORE_TIMEOUT_MS: '300', LOCKER_JWT_SECRET: SECRET }),
    );
    const server = await buildServer({ useCases: app.useCases, verifier: createVerifier({ secret: SECRET }), logLevel: 'silent', uploads: { idleTimeoutMs: 30_000, minBytesPerSecond: 0 }, metrics: { observe: app.metrics.observeRequest, scrape: async () => '' } });
    try {
      const ready = await server.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      const deposit = await server.inject({ method: 'PUT', url: '/v1/directory', headers: { authorization: `Bearer ${await signToken(SECRET, { tenant: 'school', userId: 's', scope: 'directory:write' })}` }, payload: { profiles: [], users: [], classes: [] } });
      expect(deposit.statusCode).toBe(503);
      expect(deposit.headers['content-type']).toMatch(/problem\+json/);
    } finally {
      await server.close();
      void app.close().catch(() => undefined);
    }
  });

  it('packs $all positions into one ordered number and back', () => {
    const a = packPosition(10n, 5n);
    const b = packPosition(10n, 7n);
    const c = packPosition(11n, 0n);
    expect(a < b && b < c).toBe(true);
    expect(unpackPosition(b)).toEqual({ commit: 10n, prepare: 7n });
  });
});
