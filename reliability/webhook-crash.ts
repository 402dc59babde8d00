import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schoolDirectory } from '../test/support/fixtures.js';
import { startReceiver } from '../test/support/receiver.js';
import { killed, startServer, token } from './server.js';

/**
 * `documents` deposits with a webhook registered, the receiver slow; the server is killed with
 * SIGKILL while deliveries are pending, and restarted. Every event must reach the receiver, in
 * order per document; an event may come twice (at least once), and is then recognisable by its id.
 */
export const webhookCrashRun = async (documents: number) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'locker-reliability-hooks-'));
  const receiver = await startReceiver(() => 200, 25);
  const env = { LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOCKER_WEBHOOK_POLL_MS: '50', LOCKER_WEBHOOK_RETRY_BASE_MS: '100' };
  try {
    let server = await startServer(dataDir, env);
    const json = async (method: string, path: string, who: string, body: unknown, scope?: string) =>
      fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${await token('school', who, scope)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await json('PUT', '/v1/directory', 'sync', schoolDirectory, 'directory:write');
    const category = ((await (await json('POST', '/v1/categories', 'admin', { designation: 'Minutes' })).json()) as { id: string }).id;
    const hook = await json('POST', '/v1/webhooks', 'admin', { url: receiver.url, events: ['DocumentDeposited', 'MemoChanged'] });
    if (hook.status !== 201) throw new Error(`webhook: ${hook.status}`);
    const ids: string[] = [];
    for (let i = 0; i < documents; i++) {
      const form = new FormData();
      form.append('meta', JSON.stringify({ recipients: { users: ['marc'] }, categoryId: category }));
      form.append('file', new Blob([`doc ${i}`]), `d${i}.txt`);
      const res = await fetch(`${server.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${await token('school', 'anne')}` }, body: form });
      const id = ((await res.json()) as { id: string }).id;
      ids.push(id);
      await json('PATCH', `/v1/documents/${id}`, 'anne', { memo: `memo ${i}` });
    }
    const expected = ids.length * 2;
    await receiver.waitFor(1, 30_000);
    await killed(server.child);
    const atKill = receiver.received.length;
    server = await startServer(dataDir, env);
    const uniqueOf = () => new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));
    const until = Date.now() + 60_000;
    while (uniqueOf().size < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    server.child.kill('SIGTERM');
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as { documentId: string; type: string });
    const inOrder = ids.every((id) => {
      const seen = bodies.filter((b) => b.documentId === id).map((b) => b.type);
      return seen.indexOf('DocumentDeposited') === 0 && seen.indexOf('MemoChanged') > 0;
    });
    return {
      events: expected,
      deliveredAtKill: atKill,
      delivered: uniqueOf().size,
      deliveries: receiver.received.length,
      duplicates: receiver.received.length - uniqueOf().size,
      inOrderPerDocument: inOrder,
      ok: atKill < expected && uniqueOf().size === expected && inOrder,
    };
  } finally {
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
