import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

/**
 * The client as another service installs it (issue 32): packed with `npm pack`, installed from the
 * tarball into an empty project outside the repository, then used by plain `node` (no tsx) and
 * type-checked by `tsc --strict`.
 */
const ROOT = join(import.meta.dirname, '../..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });

const PROGRAM = `
import { createLockerClient } from '@digital-locker/client';
declare const process: { env: Record<string, string | undefined> };

const url: string = process.env.LOCKER_URL!;
const anne = createLockerClient(url, () => process.env.ANNE_TOKEN!);
const auditor = createLockerClient(url, () => process.env.AUDITOR_TOKEN!);
const categoryId: string = process.env.CATEGORY!;

const deposited = await anne.POST('/v1/documents', {
  body: { meta: { recipients: { users: ['marc'] }, categoryId, title: 'From another service' }, file: [new File(['installed'], 'installed.txt', { type: 'text/plain' })] },
});
if (deposited.response.status !== 201) throw new Error('deposit: ' + deposited.response.status);
const mine = await anne.GET('/v1/distribution', { params: { query: { limit: 10 } } });
const audit = await auditor.GET('/v1/audit/events', { params: { query: { limit: 100 } } });
console.log(JSON.stringify({ listed: mine.data?.items.map((i) => i.title), audited: audit.data?.events.map((e) => e.type) }));
`;

let h: Harness;
let category: string;
let project: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
  project = mkdtempSync(join(tmpdir(), 'locker-client-user-'));
}, 60_000);
afterAll(async () => {
  await h.stop();
  rmSync(project, { recursive: true, force: true });
});

describe('the client package', () => {
  it('packs, installs from its tarball outside the repository, runs under plain node and type-checks under tsc --strict', async () => {
    npm(['pack', '--workspace', '@digital-locker/client', '--pack-destination', project], ROOT);
    const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
    expect(tarball).toMatch(/^digital-locker-client-\d+\.\d+\.\d+\.tgz$/);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'integrating-service', private: true, type: 'module' }));
    npm(['install', '--prefer-offline', join(project, tarball)], project);

    // Plain node runs the JavaScript the package ships (.ts would be ERR_UNKNOWN_FILE_EXTENSION).
    // The JavaScript an untyped service would write: the same lines without their types.
    writeFileSync(join(project, 'main.mjs'), PROGRAM.replace(/^declare .*$/m, '').replace(/: string/g, '').replace(/(\w)!(?=[);,])/g, '$1'));
    const [anneToken, auditorToken] = [await h.token('anne'), await h.token('auditor')];
    // Not a synchronous child: the server answering it runs in this process.
    const { stdout: out } = await promisify(execFile)(process.execPath, ['main.mjs'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, LOCKER_URL: h.url, CATEGORY: category, ANNE_TOKEN: anneToken, AUDITOR_TOKEN: auditorToken },
    });
    const seen = JSON.parse(out.trim().split('\n').at(-1)!) as { listed: string[]; audited: string[] };
    expect(seen.listed).toContain('From another service');
    expect(seen.audited).toContain('DocumentDeposited');

    // The same program, typed, checks under --strict against the declarations the package ships.
    writeFileSync(join(project, 'main.ts'), PROGRAM);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false }, files: ['main.ts'] }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
  }, 180_000);
});

