import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
// An older Node beside the one running the tests: this machine's own /usr/bin/node, where it is one.
const older = existsSync('/usr/bin/node') ? spawnSync('/usr/bin/node', ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim() : '';
const olderMajor = Number(older.split('.')[0] || 99);
if (olderMajor >= 22) console.log(`node-version.spec: no Node older than 22 here (/usr/bin/node is ${older || 'absent'}): the refusal is not run`);

describe('a Node too old to run the service', () => {
  it.skipIf(olderMajor >= 22)('gets one sentence naming the version and the way out, exit 1, from npm start, npm test and the CLI alike', () => {
    for (const script of ['scripts/node-version.mjs', 'bin/locker.js']) {
      const run = spawnSync('/usr/bin/node', [join(ROOT, script), '--help'], { encoding: 'utf8' });
      expect([run.status, run.stderr]).toEqual([1, `digital-locker needs Node 24 LTS (22 works); this is Node v${older}.\nInstall Node 24, or take it from the npm registry for one command: npx -p node@24 -- npm start (or npm test)\n`]);
    }
  });

  it('lets this one through', () => {
    expect(spawnSync(process.execPath, [join(ROOT, 'scripts/node-version.mjs')]).status).toBe(0);
  });
});
