import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/adapters/config/config.js';
import type { openSqliteReadModels } from '../src/adapters/sqlite/sqlite-read-models.js';
import { compose } from '../src/composition/compose.js';
import { schoolDirectory } from '../test/support/fixtures.js';
import { cli, killed, SECRET, startServer, token } from './server.js';

type Deposit = { key: string; content: string; id?: string };

/**
 * Deposits under load with an Idempotency-Key each; the server is killed with SIGKILL in the
 * middle, restarted, and every request that got no answer is sent again as it was. Nothing may
 * be lost or doubled, the audit chains must hold, the read models must equal a rebuild, and the
 * sweep must leave no staging behind.
 */
export const crashRun = async (options: { cycles: number; clients: number; perClient: number }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'locker-reliability-'));
  try {
    let server = await startServer(dataDir);
    const admin = await token('school', 'admin');
    const sync = await token('school', 'sync', 'directory:write');
    const anne = await token('school', 'anne');
    await fetch(`${server.url}/v1/directory`, { method: 'PUT', headers: { authorization: `Bearer ${sync}`, 'content-type': 'application/json' }, body: JSON.stringify(schoolDirectory) });
    const category = ((await (await fetch(`${server.url}/v1/categories`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ designation: 'Minutes' }) })).json()) as { id: string }).id;

    const deposits: Deposit[] = [];
    for (let i = 0; i < options.cycles * options.clients * options.perClient; i++) deposits.push({ key: `load-${i}`, content: `document ${i} ${'x'.repeat(i % 5000)}` });
    const send = async (url: string, d: Deposit) => {
      const form = new FormData();
      form.append('meta', JSON.stringify({ recipients: { users: ['marc', 'sophie'] }, categoryId: category, title: d.key }));
      form.append('file', new Blob([d.content]), `${d.key}.txt`);
      const res = await fetch(`${url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${anne}`, 'idempotency-key': d.key }, body: form });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 201 || !body.id) throw new Error(`deposit ${d.key}: ${res.status} ${JSON.stringify(body)}`);
      if (d.id !== undefined && d.id !== body.id) throw new Error(`deposit ${d.key} answered ${body.id} after ${d.id}: duplicated`);
      d.id = body.id;
    };

    const kills: { answeredBeforeKill: number; interruptedInFlight: number; resent: number }[] = [];
    const perCycle = options.clients * options.perClient;
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const batch = deposits.slice(cycle * perCycle, (cycle + 1) * perCycle);
      const url = server.url;
      let answered = 0;
      let interrupted = 0;
      // Clients send one after another; the kill lands once about half of this cycle was answered.
      const load = Array.from({ length: options.clients }, (_, c) =>
        (async () => {
          for (const d of batch.slice(c * options.perClient, (c + 1) * options.perClient)) {
            try {
              await send(url, d);
              answered += 1;
            } catch {
              // The request in flight when the server died: no answer, maybe written, maybe not.
              interrupted += 1;
              return;
            }
          }
        })(),
      );
      while (answered < perCycle / 2) await new Promise((r) => setTimeout(r, 5));
      await killed(server.child);
      await Promise.allSettled(load);
      server = await startServer(dataDir);
      const unanswered = batch.filter((d) => d.id === undefined);
      for (const d of unanswered) await send(server.url, d);
      // Those answered before the crash, sent again, give the same document.
      for (const d of batch.slice(0, 5).filter((x) => x.id !== undefined)) await send(server.url, d);
      kills.push({ answeredBeforeKill: answered, interruptedInFlight: interrupted, resent: unanswered.length });
    }
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));

    const verify = cli(dataDir, ['audit', 'verify']);
    const sweep = cli(dataDir, ['sweep', '--grace-minutes', '0']);
    const staging = readdirSync(join(dataDir, 'blobs', '.staging'), { withFileTypes: true }).length;

    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_JWT_SECRET: SECRET, LOCKER_LOG_LEVEL: 'silent' }));
    let readModelsEqualRebuild = false;
    let tablesDiffering: string[] = [];
    let deposited = 0;
    try {
      const all = (await app.deps.events.readAll({ tenant: 'school', limit: 10_000_000, types: ['DocumentDeposited'] }))._unsafeUnwrap();
      deposited = all.length;
      const readModels = app.deps.readModels as ReturnType<typeof openSqliteReadModels>;
      const liveTables = readModels.dump();
      const live = JSON.stringify(liveTables);
      (await app.useCases.rebuild())._unsafeUnwrap();
      const rebuilt = readModels.dump();
      readModelsEqualRebuild = JSON.stringify(rebuilt) === live;
      // Which tables differ, with a row of each side, when they do: what to look at.
      tablesDiffering = Object.keys({ ...liveTables, ...rebuilt }).filter((t) => JSON.stringify(liveTables[t]) !== JSON.stringify(rebuilt[t]));
      for (const t of tablesDiffering) {
        const a = liveTables[t] ?? [];
        const b = rebuilt[t] ?? [];
        const i = a.findIndex((row, n) => row !== b[n]);
        process.stderr.write(`crash: read model ${t} differs after a rebuild (live ${a.length} rows, rebuilt ${b.length}); first difference: ${a[i]} / ${b[i]}\n`);
      }
    } finally {
      await app.close();
    }
    const ids = new Set(deposits.map((d) => d.id));
    return {
      deposits: deposits.length,
      kills,
      distinctDocuments: ids.size,
      depositedEvents: deposited,
      lost: deposits.filter((d) => d.id === undefined).length,
      duplicated: deposited - ids.size,
      auditVerify: verify.status === 0 ? 'passed' : `failed: ${verify.stderr.trim()}`,
      sweep: sweep.status === 0 ? JSON.parse(sweep.stdout) : sweep.stderr.trim(),
      stagingLeft: staging,
      readModelsEqualRebuild,
      ...(tablesDiffering.length > 0 ? { tablesDiffering } : {}),
      ok: ids.size === deposits.length && deposited === deposits.length && verify.status === 0 && staging === 0 && readModelsEqualRebuild,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
};
