import { ownCpuMs } from './load.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/adapters/config/config.js';
import { signWebhook } from '../src/adapters/webhooks/fetch-webhook-sender.js';
import { envelope } from '../src/application/event-envelope.js';
import type { DocumentEvent } from '../src/domain/index.js';
import { compose } from '../src/composition/compose.js';
import { schoolDirectory } from '../test/support/fixtures.js';
import { startReceiver } from '../test/support/receiver.js';

/**
 * `events` events (one deposit each on its own document) delivered to one receiver in this process,
 * next to a plain fetch loop posting the same signed bodies with the same parallelism (4).
 */
export const benchWebhookThroughput = async (events = 2000) => {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-hooks-'));
  try {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const body = JSON.stringify({ id: 'x', type: 'DocumentDeposited', tenant: 'bench', at: new Date().toISOString(), actorId: 'anne', documentId: 'd', userIds: ['marc'] });
    let next = 0;
    const started = performance.now();
    const baselineCpu = ownCpuMs();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < events) {
          const i = next++;
          const timestamp = Math.floor(Date.now() / 1000);
          const res = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': `b${i}`, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, `b${i}`, timestamp, body) }, body });
          await res.arrayBuffer();
        }
      }),
    );
    const baselineSeconds = (performance.now() - started) / 1000;
    const baselineCpuMs = ownCpuMs() - baselineCpu;
    receiver.received.length = 0;

    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_LOG_LEVEL: 'silent', LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }));
    const { deps, useCases: uc } = app;
    (await uc.syncDirectory({ tenant: 'bench', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
    (await app.webhooks.register({ tenant: 'bench', userId: 'admin', scopes: [] }, { url: receiver.url, events: ['DocumentDeposited'], secret }))._unsafeUnwrap();
    const toEnvelope = envelope('bench', deps.ids);
    const content = { version: 1, blobKey: `bench/${'a'.repeat(64)}`, sha256: 'a'.repeat(64), sizeBytes: 10, fileName: 'a.pdf', mediaType: 'application/pdf' };
    for (let i = 0; i < events; i++) {
      const documentId = deps.ids.newId();
      const event: DocumentEvent = {
        type: 'DocumentDeposited',
        data: { documentId, year: '2026-2027', depositorId: 'anne', title: 't', categoryId: 'c', memo: null, recipientIds: ['marc'], named: ['marc'], classes: [], groups: [], content, source: 'upload' },
        actor: 'anne',
        at: new Date().toISOString(),
      };
      (await deps.events.append(deps.streams.document('bench', documentId), [toEnvelope(event)], 'no-stream'))._unsafeUnwrap();
    }
    (await deps.projector.catchUp())._unsafeUnwrap();
    const productStarted = performance.now();
    const productCpu = ownCpuMs();
    while (receiver.received.length < events && performance.now() - productStarted < 120_000) (await app.webhooks.tick())._unsafeUnwrap();
    const productSeconds = (performance.now() - productStarted) / 1000;
    const productCpuMs = ownCpuMs() - productCpu;
    await app.close();
    return {
      figure: `${events} events delivered to one receiver`,
      lockerEventsPerSecond: Math.round(events / productSeconds),
      plainFetchEventsPerSecond: Math.round(events / baselineSeconds),
      ratio: Number((baselineSeconds / productSeconds).toFixed(3)),
      // CPU of this process (sender and receiver both in it, for both sides) per event delivered.
      cpuMsPerEvent: { locker: Number((productCpuMs / events).toFixed(3)), plainFetch: Number((baselineCpuMs / events).toFixed(3)) },
      cpuRatio: Number((baselineCpuMs / productCpuMs).toFixed(3)),
      goal: '>= 0.5',
    };
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
