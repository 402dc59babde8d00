// postinstall: on Node 24.19 and later, better-sqlite3 12 is compiled again against the headers of
// Node 24.18.0 (ADR 16). From 24.19 on, node_object_wrap.h, which is compiled into the addon, makes
// every wrapped object register an environment cleanup hook and remove it when it is collected;
// better-sqlite3 12's statements are collected where Node has no environment (at exit, in an idle
// GC) and the process aborts. Built against 24.18's header, the addon behaves as on Node 20, and it
// loads in every 24.x (one ABI). Anywhere else this does nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HEADERS_VERSION = '24.18.0';

/** Whether headers make wrapped objects register a cleanup hook (24.19 and later). */
export const headersHook = (nodedir) => {
  const header = join(nodedir, 'include', 'node', 'node_object_wrap.h');
  return !existsSync(header) || readFileSync(header, 'utf8').includes('AddCleanupHook');
};

/**
 * What to do, from facts alone: nothing off Node 24.19+, or with better-sqlite3 13 (node-addon-api,
 * no ObjectWrap), or when the addon was compiled against headers without the hook; else rebuild.
 * `builtAgainst` is the headers folder node-gyp used, undefined for a downloaded prebuilt binary.
 */
export const needsRebuild = ({ nodeVersion, sqliteVersion, builtAgainst, hooked }) => {
  const [major, minor] = nodeVersion.split('.').map(Number);
  if (major !== 24 || minor < 19) return false;
  if (Number(sqliteVersion.split('.')[0]) >= 13) return false;
  return builtAgainst === undefined || hooked(builtAgainst);
};

/** The npm registry's package of one platform's Node build, named as the `node` package names it. */
export const platformPackage = (platform, arch) => {
  const os = platform === 'win32' ? 'win' : platform;
  return [platform === 'darwin' && arch === 'arm64' ? 'node-bin' : 'node', os, os === 'win' && arch === 'ia32' ? 'x86' : arch].join('-');
};

/**
 * Rebuilds when needed. With `--check` it rebuilds nothing and exits 1 if a rebuild is still needed
 * (`.ci/node24.sh` asks it after the install).
 */
const main = (check) => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const require = createRequire(join(root, 'package.json'));
  const sqlite = dirname(require.resolve('better-sqlite3/package.json'));
  const config = join(sqlite, 'build', 'config.gypi');
  const builtAgainst = existsSync(config) ? /"nodedir":\s*"([^"]+)"/.exec(readFileSync(config, 'utf8'))?.[1] : undefined;
  const sqliteVersion = JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')).version;
  if (!needsRebuild({ nodeVersion: process.versions.node, sqliteVersion, builtAgainst, hooked: headersHook })) return;
  if (check) {
    console.error(`better-sqlite3 ${sqliteVersion} is built against headers that register cleanup hooks (${builtAgainst ?? 'a prebuilt binary'}): it aborts on Node ${process.versions.node} (ADR 16)`);
    process.exitCode = 1;
    return;
  }

  // The npm running this script, under this Node (the `npm` on PATH may belong to another one).
  const npm = (args, env = process.env) =>
    process.env.npm_execpath
      ? execFileSync(process.execPath, [process.env.npm_execpath, ...args], { cwd: root, env, stdio: 'inherit' })
      : execFileSync('npm', args, { cwd: root, env, stdio: 'inherit' });
  const platform = platformPackage(process.platform, process.arch);
  const cache = join(root, 'node_modules', '.cache', `node-${HEADERS_VERSION}`);
  const headers = join(cache, 'node_modules', platform);
  console.log(`better-sqlite3 ${sqliteVersion} on Node ${process.versions.node}: compiling it again against the headers of Node ${HEADERS_VERSION} (ADR 16)`);
  if (!existsSync(join(headers, 'include', 'node'))) npm(['install', '--prefix', cache, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${platform}@${HEADERS_VERSION}`]);
  if (headersHook(headers)) throw new Error(`the headers of ${HEADERS_VERSION} register cleanup hooks: pick an older version`);
  npm(['rebuild', 'better-sqlite3'], { ...process.env, npm_config_nodedir: headers, npm_config_build_from_source: 'true' });
};

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.includes('--check'));
