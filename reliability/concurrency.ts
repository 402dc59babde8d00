import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, token } from './server.js';

/** 50 depositors' sessions add a recipient each to one document at once: every one must land. */
export const concurrencyRun = async (commands = 50) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'locker-concurrency-'));
  const server = await startServer(dataDir);
  try {
    const staff = Array.from({ length: commands + 1 }, (_, i) => ({ id: `t${i}`, displayName: `Teacher ${i}`, kind: 'teacher', profiles: [] }));
    const directory = {
      profiles: [{ id: 'p', name: 'Depositors', permissions: ['locker.deposit', 'locker.admin'] }],
      users: [{ id: 'anne', displayName: 'Anne', kind: 'teacher', profiles: ['p'] }, ...staff],
      classes: [],
    };
    const sync = await token('school', 'sync', 'directory:write');
    const anne = await token('school', 'anne');
    const json = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
    await fetch(`${server.url}/v1/directory`, { method: 'PUT', headers: json(sync), body: JSON.stringify(directory) });
    const category = ((await (await fetch(`${server.url}/v1/categories`, { method: 'POST', headers: json(anne), body: JSON.stringify({ designation: 'Minutes' }) })).json()) as { id: string }).id;
    const form = new FormData();
    form.append('meta', JSON.stringify({ recipients: { users: ['t0'] }, categoryId: category }));
    form.append('file', new Blob(['shared']), 'shared.txt');
    const doc = (await (await fetch(`${server.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${anne}` }, body: form })).json()) as { id: string };
    const started = performance.now();
    const statuses = await Promise.all(
      staff.slice(1).map(async (s) => (await fetch(`${server.url}/v1/documents/${doc.id}/recipients`, { method: 'POST', headers: json(anne), body: JSON.stringify({ users: [s.id] }) })).status),
    );
    const seconds = (performance.now() - started) / 1000;
    const final = (await (await fetch(`${server.url}/v1/documents/${doc.id}`, { headers: { authorization: `Bearer ${anne}` } })).json()) as { recipients: string[] };
    return {
      concurrentCommands: statuses.length,
      answered200: statuses.filter((s) => s === 200).length,
      recipientsAtEnd: final.recipients.length,
      lostUpdates: commands + 1 - final.recipients.length,
      seconds: Number(seconds.toFixed(2)),
      ok: statuses.length === commands && final.recipients.length === commands + 1 && statuses.every((s) => s === 200),
    };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
};
