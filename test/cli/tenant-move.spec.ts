import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { compose } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

// `locker tenant export > school.tar` on one deployment, `locker tenant import < school.tar` on
// another, as an operator runs them (ADR 54); then `audit verify --checkpoint` with the checkpoints
// an auditor saved on the source.

const BIN = join(import.meta.dirname, '../../bin/locker.js');
const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-cli-move-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const env = { LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' };

/** The CLI with stdin and stdout on files, as a shell's `<` and `>` give them. */
const locker = (dataDir: string, args: string[], io: { stdin?: string; stdout?: string } = {}) => {
  const input = io.stdin ? openSync(io.stdin, 'r') : 'ignore';
  const output = io.stdout ? openSync(io.stdout, 'w') : 'pipe';
  try {
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, LOCKER_DATA_DIR: dataDir, LOCKER_LOG_LEVEL: 'silent', ...env },
      stdio: [input, output, 'pipe'],
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr };
  } finally {
    if (typeof input === 'number') closeSync(input);
    if (typeof output === 'number') closeSync(output);
  }
};

let source: string;
let saved: string;
beforeAll(async () => {
  source = fresh();
  const app = await compose(loadConfig({ ...env, LOCKER_DATA_DIR: source }));
  const uc = app.useCases;
  (await uc.syncDirectory({ tenant: 'north', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
  const categoryId = (await uc.createCategory({ tenant: 'north', userId: 'admin', scopes: [] }, 'Minutes'))._unsafeUnwrap().id;
  const checked = (await uc.depositDocument.check({ tenant: 'north', userId: 'anne', scopes: [] }, { recipients: { users: ['marc'], classes: [] }, categoryId }, undefined))._unsafeUnwrap();
  const content = (async function* () {
    yield new TextEncoder().encode('north document');
  })();
  (await uc.depositDocument.store(checked, { fileName: 'd.txt', mediaType: 'text/plain', content, truncated: () => false }))._unsafeUnwrap();
  (await uc.notarize())._unsafeUnwrap();
  saved = join(source, 'auditors-checkpoints.json');
  writeFileSync(saved, JSON.stringify((await uc.auditCheckpoints({ tenant: 'north', userId: 'auditor', scopes: [] }, 10))._unsafeUnwrap()));
  await app.close();
}, 60_000);

describe('locker tenant', () => {
  it('new-key, export to a file, import from it on another deployment; audit verify holds the school to the source’s checkpoints', async () => {
    const keyFile = join(fresh(), 'transfer.key');
    const key = locker(source, ['tenant', 'new-key']);
    expect(key.status).toBe(0);
    expect(Buffer.from(key.stdout.trim(), 'base64')).toHaveLength(32);
    writeFileSync(keyFile, key.stdout);

    const tar = join(fresh(), 'north.tar');
    const exported = locker(source, ['tenant', 'export', '--tenant', 'north', '--key-file', keyFile], { stdout: tar });
    expect(exported.status, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stderr.trim().split('\n').at(-1)!)).toMatchObject({ tenant: 'north', blobs: 1 });
    expect(statSync(tar).size).toBeGreaterThan(0);
    expect(readFileSync(tar).toString('latin1')).not.toContain('north document');

    const target = fresh();
    const checkpoints = join(target, 'north-checkpoints.json');
    const imported = locker(target, ['tenant', 'import', '--key-file', keyFile, '--checkpoints-out', checkpoints], { stdin: tar });
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ tenant: 'north', alreadyThere: 0, blobs: 1, broken: null });
    // Held from the cell's jobs before its first event was written, and let go once verified (ADR 54).
    const there = await compose(loadConfig({ ...env, LOCKER_DATA_DIR: target }));
    try {
      const log = (await there.deps.events.readAll({ limit: 100_000 }))._unsafeUnwrap();
      const moves = log.filter((e) => e.stream === there.deps.streams.schoolMoves());
      expect(moves.map((e) => [e.type, (e.data as { tenant: string }).tenant])).toEqual([['SchoolImportStarted', 'north'], ['SchoolImportFinished', 'north']]);
      const firstOfSchool = log.findIndex((e) => e.meta.tenant === 'north');
      expect(log.indexOf(moves[0]!)).toBeLessThan(firstOfSchool);
      expect([...(await there.useCases.schoolMoves.importing())._unsafeUnwrap()]).toEqual([]);
    } finally {
      await there.close();
    }
    for (const file of [saved, checkpoints]) {
      const verified = locker(target, ['audit', 'verify', '--tenant', 'north', '--checkpoint', file]);
      expect(verified.status, verified.stderr).toBe(0);
      const report = JSON.parse(verified.stdout);
      expect(report.broken).toBeNull();
      expect(report.checkpoints.length).toBeGreaterThan(0);
      expect(report.checkpoints.every((c: { verified: boolean }) => c.verified)).toBe(true);
    }
  });

  it('an import that stops holds the school from the cell’s jobs until it is resumed, or released by hand', async () => {
    const dir = fresh();
    const keyFile = join(dir, 'move.key');
    expect(locker(source, ['tenant', 'new-key'], { stdout: keyFile }).status).toBe(0);
    const tar = join(dir, 'north.tar');
    expect(locker(source, ['tenant', 'export', '--tenant', 'north', '--key-file', keyFile], { stdout: tar }).status).toBe(0);
    // Cut short after the manifest and some of what follows: the import stops part-way.
    const cut = join(dir, 'cut.tar');
    writeFileSync(cut, readFileSync(tar).subarray(0, Math.floor(readFileSync(tar).length / 2)));
    const target = fresh();
    expect(locker(target, ['tenant', 'import', '--key-file', keyFile], { stdin: cut }).status).toBe(1);
    const held = async () => {
      const there = await compose(loadConfig({ ...env, LOCKER_DATA_DIR: target }));
      try {
        return [...(await there.useCases.schoolMoves.importing())._unsafeUnwrap()];
      } finally {
        await there.close();
      }
    };
    expect(await held()).toEqual(['north']);
    expect(locker(target, ['tenant', 'release', '--tenant', 'south']).status).toBe(2);
    const released = locker(target, ['tenant', 'release', '--tenant', 'north']);
    expect(released.status, released.stderr).toBe(0);
    expect(JSON.parse(released.stdout)).toEqual({ tenant: 'north', released: true });
    expect(await held()).toEqual([]);
  });

  it('refuses a transfer key that is not 32 bytes of base64, an unknown school, and an archive sealed with another key', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'bad.key'), 'not a key');
    const bad = locker(source, ['tenant', 'export', '--tenant', 'north', '--key-file', join(dir, 'bad.key')], { stdout: join(dir, 'x.tar') });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/32 bytes in base64/);
    writeFileSync(join(dir, 'a.key'), Buffer.alloc(32, 1).toString('base64'));
    writeFileSync(join(dir, 'b.key'), Buffer.alloc(32, 2).toString('base64'));
    const unknown = locker(source, ['tenant', 'export', '--tenant', 'nowhere', '--key-file', join(dir, 'a.key')], { stdout: join(dir, 'x.tar') });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown tenant nowhere/);
    expect(locker(source, ['tenant', 'export', '--tenant', 'north', '--key-file', join(dir, 'a.key')], { stdout: join(dir, 'a.tar') }).status).toBe(0);
    const target = fresh();
    const refused = locker(target, ['tenant', 'import', '--key-file', join(dir, 'b.key')], { stdin: join(dir, 'a.tar') });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/import refused: invalid archive .*transfer key/);
  });
});
