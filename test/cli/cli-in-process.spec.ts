import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/adapters/cli/cli.js';
import { loadConfig } from '../../src/adapters/config/config.js';
import { compose } from '../../src/composition/compose.js';
import { cliHost } from '../../src/main.js';
import { handle } from '../../src/application/handle-command.js';
import { lockerDecider } from '../../src/domain/index.js';
import { schoolDirectory } from '../support/fixtures.js';

/**
 * The CLI's commands run in this process too (the child-process suite checks the real binary):
 * each command's behaviour, its exit code and its one-line errors, quickly and under coverage.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'locker-cli-in-process-'));
const host = () => cliHost(loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_LOG_LEVEL: 'silent' }));

const run = async (...argv: string[]) => runOn(host, ...argv);

/** A command on a deployment's data folder, its output captured. */
const runOn = async (on: typeof host, ...argv: string[]) => {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const outcome = await runCli(argv, on);
    return { ...outcome, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
};

beforeAll(async () => {
  writeFileSync(join(dataDir, 'directory.json'), JSON.stringify({ ...schoolDirectory, users: schoolDirectory.users.map((u) => ({ ...u, email: `${u.id}@school.test` })) }));
  // Every test finds a tenant with a directory, whatever order they run in.
  expect((await run('directory', 'import', join(dataDir, 'directory.json'), '--tenant', 'school')).exitCode).toBe(0);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the CLI, in process', () => {
  it('prints its usage for help, and refuses an unknown command with exit 2', async () => {
    expect((await run('--help')).stdout).toMatch(/^Usage: locker/);
    expect((await run()).stdout).toMatch(/^Usage: locker/);
    expect(await run('fly')).toMatchObject({ exitCode: 2, message: expect.stringMatching(/unknown command 'fly'/) });
    expect(await run('rebuild', '--help')).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^Usage: locker rebuild/) });
    for (const command of [['token'], ['directory', 'import'], ['rollover'], ['audit', 'verify'], ['audit', 'export'], ['sweep'], ['serve'], ['rebuild']]) {
      const r = await run(...command, '-h');
      expect([command.join(' '), r.exitCode, r.stdout.split('\n')[0]]).toEqual([command.join(' '), 0, expect.stringMatching(new RegExp(`^Usage: locker ${command.join(' ')}`))]);
    }
  });

  it('imports a directory, signs a token, and refuses bad arguments with exit 2', async () => {
    const imported = await run('directory', 'import', join(dataDir, 'directory.json'), '--tenant', 'school');
    expect(imported.exitCode).toBe(0);
    // Imported once already (beforeAll): the same directory again opens and closes nothing.
    expect(JSON.parse(imported.stdout)).toMatchObject({ users: 7, classes: 2, lockersOpened: [], lockersClosed: [] });
    const token = await run('token', '--tenant', 'school', '--user', 'anne', '--ttl', '60');
    expect(token.stdout.trim().split('.')).toHaveLength(3);
    expect(token.stderr).toBe('');
    // Someone missing from the directory still gets a token, with a warning that it will be refused (issue 32).
    const stranger = await run('token', '--tenant', 'school', '--user', 'nobody');
    expect(stranger.stdout.trim().split('.')).toHaveLength(3);
    expect(stranger.stderr).toMatch(/^locker: warning: nobody is not in the directory of school/);
    // Help marks what is required.
    expect((await run('token', '-h')).stdout).toMatch(/--tenant <tenant>\s+the tenant \(school\) id \(required\)/);
    expect(await run('token', '--tenant', 'School!', '--user', 'anne')).toMatchObject({ exitCode: 2, message: expect.stringContaining('--tenant') });
    expect(await run('token', '--tenant', 'school')).toMatchObject({ exitCode: 2, message: "required option '--user <id>' not specified" });
    expect(await run('token', '--tenant', 'school', '--user', 'anne', '--ttl', '-5')).toMatchObject({ exitCode: 2, message: '--ttl is a positive number of seconds' });
    expect(await run('directory', 'import', join(dataDir, 'missing.json'), '--tenant', 'school')).toMatchObject({ exitCode: 2 });
  });

  it('rebuilds the read models, verifies and exports the history, sweeps, and rolls over (dry run)', async () => {
    const rebuilt = await run('rebuild');
    const position = /read models rebuilt up to position (\d+)/.exec(rebuilt.stdout)?.[1];
    // Progress ends where the log does (the embedded log numbers its events 1, 2, 3…): every event was applied.
    expect(rebuilt.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^rebuild: ${position} events`));
    const verified = await run('audit', 'verify', '--tenant', 'school');
    expect(verified.exitCode).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ broken: null });
    const exported = await run('audit', 'export', '--tenant', 'school');
    expect(exported.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).toContain('DirectorySynced');
    // An auditor's typo is not a clean, empty history (issue 32).
    expect(await run('audit', 'verify', '--tenant', 'schoool')).toMatchObject({ exitCode: 1, message: expect.stringMatching(/^unknown tenant schoool: this deployment has .*school/) });
    expect(await run('audit', 'export', '--tenant', 'schoool')).toMatchObject({ exitCode: 1, message: expect.stringMatching(/^unknown tenant schoool/) });
    // keys check: nothing shared in a deployment sealed since ADR 37.
    const keys = await run('keys', 'check');
    expect(keys.exitCode).toBe(0);
    expect(JSON.parse(keys.stdout)).toMatchObject({ shared: [] });
    expect(JSON.parse((await run('sweep', '--grace-minutes', '0')).stdout)).toMatchObject({ deleted: 0 });
    // No scanner configured: a rescan says so, and does nothing.
    expect(await run('scan')).toMatchObject({ exitCode: 1, message: expect.stringContaining('no virus scanner is configured') });
    expect(await run('scan', '--since', 'yesterday')).toMatchObject({ exitCode: 2, message: expect.stringContaining('--since is a date') });
    const dry = await run('rollover', '--tenant', 'school', '--from', '2025-2026', '--to', '2026-2027', '--dry-run');
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, documentsExamined: 0 });
    expect(await run('rollover', '--tenant', 'school', '--from', '2025-2026', '--to', '2027-2028')).toMatchObject({ exitCode: 2, message: expect.stringContaining('next one') });
    expect(await run('rollover', '--tenant', 'school', '--from', '2026-27', '--to', '2027-28')).toMatchObject({ exitCode: 2, message: expect.stringContaining('2026-27 is not a school year: expected the form 2025-2026') });
    expect(await run('audit', 'verify', '--checkpoint', join(dataDir, 'directory.json'))).toMatchObject({ exitCode: 2, message: expect.stringContaining('holds no checkpoint') });
  });

  it('outbox retry puts the failed mails back in the queue', async () => {
    // Mail on (an SMTP server nobody reaches: nothing here sends), so that the deposit queues one.
    const config = loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_LOG_LEVEL: 'silent', LOCKER_SMTP_URL: 'smtp://127.0.0.1:9', LOCKER_MAIL_FROM: 'casier@school.test' });
    let app = await compose(config);
    const anne = { tenant: 'school', userId: 'anne', scopes: [] };
    const category = (await app.useCases.createCategory({ ...anne, userId: 'admin' }, `Mail ${Date.now()}`))._unsafeUnwrap().id;
    const checked = (await app.useCases.depositDocument.check(anne, { recipients: { users: ['marc'], classes: [] }, categoryId: category }, undefined))._unsafeUnwrap();
    const doc = (await app.useCases.depositDocument.store(checked, { fileName: 'm.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode('m'); })(), truncated: () => false }))._unsafeUnwrap().document;
    const pending = (await app.useCases.mailOutbox({ ...anne, userId: 'admin' }, 'pending', { limit: 100 }))._unsafeUnwrap().items.find((i) => i.documentId === doc.id)!;
    (await handle(app.deps, lockerDecider, 'school', app.deps.streams.locker('school', 'marc'), { type: 'RecordEmailFailed', actorId: 'system:mailer', at: new Date().toISOString(), holderId: 'marc', mailIds: [pending.mailId], error: '550 no such mailbox' }))._unsafeUnwrap();
    await app.close();

    const retried = await run('outbox', 'retry', '--tenant', 'school');
    expect(retried.exitCode).toBe(0);
    expect(JSON.parse(retried.stdout)).toEqual({ requeued: 1 });

    app = await compose(config);
    const after = (await app.useCases.mailOutbox({ ...anne, userId: 'admin' }, undefined, { limit: 100 }))._unsafeUnwrap().items.find((i) => i.documentId === doc.id)!;
    expect(after).toMatchObject({ status: 'pending', attempts: 0 });
    await app.close();
  });

  it('retention run: a dry run counts, a run expires, both say how many', async () => {
    const dry = await run('retention', 'run', '--dry-run', '--tenant', 'school');
    expect(dry.exitCode).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, expired: 0 });
    const real = await run('retention', 'run');
    expect(JSON.parse(real.stdout)).toMatchObject({ dryRun: false, expired: 0 });
  });

  it('locker snapshot stores a copy where snapshots are on, and says why not where they are off', async () => {
    expect(await run('snapshot')).toMatchObject({ exitCode: 2, message: expect.stringMatching(/snapshots are off here/) });
    const dir = mkdtempSync(join(tmpdir(), 'locker-cli-snapshot-'));
    try {
      const on = () => cliHost(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_SNAPSHOT_EVERY_MINUTES: '60' }));
      writeFileSync(join(dir, 'directory.json'), JSON.stringify(schoolDirectory));
      let stdout = '';
      const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
      try {
        expect((await runCli(['directory', 'import', join(dir, 'directory.json'), '--tenant', 'school'], on)).exitCode).toBe(0);
        stdout = '';
        expect((await runCli(['snapshot'], on)).exitCode).toBe(0);
      } finally {
        out.mockRestore();
      }
      expect(JSON.parse(stdout)).toMatchObject({ checkpoint: expect.stringMatching(/^[1-9]\d*$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), deleted: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tenant new-key, export to a file and import from one into another folder; console prints a sign-in link; each refuses what it cannot do', async () => {
    const key = await run('tenant', 'new-key');
    expect(Buffer.from(key.stdout.trim(), 'base64')).toHaveLength(32);
    const keyFile = join(dataDir, 'transfer.key');
    writeFileSync(keyFile, key.stdout);
    const tar = join(dataDir, 'school.tar');
    const exported = await run('tenant', 'export', '--tenant', 'school', '--key-file', keyFile, '--out', tar);
    expect(exported.exitCode, exported.message).toBe(0);
    expect(JSON.parse(exported.stderr.trim().split('\n').at(-1)!)).toMatchObject({ tenant: 'school' });
    // The file is never overwritten, and an unknown school leaves none behind.
    expect(await run('tenant', 'export', '--tenant', 'school', '--key-file', keyFile, '--out', tar)).toMatchObject({ exitCode: 1, message: expect.stringMatching(/EEXIST/) });
    expect(await run('tenant', 'export', '--tenant', 'nowhere', '--key-file', keyFile, '--out', join(dataDir, 'nowhere.tar'))).toMatchObject({ exitCode: 1, message: expect.stringMatching(/unknown tenant/) });
    expect(existsSync(join(dataDir, 'nowhere.tar'))).toBe(false);
    expect(await run('tenant', 'export', '--tenant', 'school', '--key-file', join(dataDir, 'missing.key'))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/cannot read/) });

    const target = mkdtempSync(join(tmpdir(), 'locker-cli-target-'));
    const there = () => cliHost(loadConfig({ LOCKER_DATA_DIR: target, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_LOG_LEVEL: 'silent' }));
    const runThere = (...argv: string[]) => runOn(there, ...argv);
    try {
      const checkpoints = join(target, 'checkpoints.json');
      const imported = await runThere('tenant', 'import', '--key-file', keyFile, '--in', tar, '--checkpoints-out', checkpoints);
      expect(imported.exitCode, imported.message).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ tenant: 'school', alreadyThere: 0, broken: null });
      expect(await runThere('audit', 'verify', '--tenant', 'school', '--checkpoint', checkpoints)).toMatchObject({ exitCode: 0 });
      // The same archive again adds nothing; a missing one is a usage error; another key, a refusal.
      expect(JSON.parse((await runThere('tenant', 'import', '--key-file', keyFile, '--in', tar)).stdout)).toMatchObject({ events: 0 });
      expect(await runThere('tenant', 'import', '--key-file', keyFile, '--in', join(target, 'none.tar'))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/no such file/) });
      writeFileSync(join(target, 'other.key'), Buffer.alloc(32, 3).toString('base64'));
      expect(await runThere('tenant', 'import', '--key-file', join(target, 'other.key'), '--in', tar)).toMatchObject({ exitCode: 1, message: expect.stringMatching(/import refused: invalid archive/) });
    } finally {
      rmSync(target, { recursive: true, force: true });
    }

    const link = await run('console', '--tenant', 'school', '--user', 'auditor', '--ttl', '120');
    expect(link.exitCode).toBe(0);
    expect(link.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:3000\/console\/#token=[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await run('console', '--tenant', 'nowhere', '--user', 'auditor')).toMatchObject({ exitCode: 1, message: expect.stringMatching(/unknown tenant/) });
  });
});
