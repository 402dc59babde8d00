import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/adapters/config/config.js';
import { signToken } from '../../src/adapters/shared/tokens.js';
import { startServer, type RunningServer } from '../../src/composition/serve.js';
import { S3_CREDENTIALS, startS3 } from './s3-server.js';

export const SECRET = 'test-secret-that-is-long-enough-for-hs256!';

import { schoolDirectory } from './fixtures.js';

export { schoolDirectory };

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** A real server on a random port over a fresh data folder: the product as other services see it. */
export const startHarness = async (env: Record<string, string> = {}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'locker-test-'));
  // The same HTTP suites run on the S3 blob store too (vitest project "http-on-s3").
  const s3 = process.env.LOCKER_TEST_BLOB_STORE === 's3' ? await startS3() : undefined;
  const s3Env = s3
    ? { LOCKER_BLOB_STORE: 's3', LOCKER_S3_ENDPOINT: s3.endpoint, LOCKER_S3_BUCKET: 'locker-test', LOCKER_S3_ACCESS_KEY: S3_CREDENTIALS.accessKey, LOCKER_S3_SECRET_KEY: S3_CREDENTIALS.secretKey }
    : {};
  const config = loadConfig({
    LOCKER_DATA_DIR: dataDir,
    LOCKER_PORT: '0',
    LOCKER_LOG_LEVEL: 'silent',
    LOCKER_JWT_SECRET: SECRET,
    // Tests do not need to survive a power cut; the default (FULL) is measured in the benchmark.
    LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL',
    // Tests stop servers often; connections left open by a test need not hold them for long.
    LOCKER_SHUTDOWN_GRACE_MS: '500',
    ...s3Env,
    ...env,
  });
  const running: RunningServer = await startServer(config);
  const url = running.url;

  const token = (user: string, opts: { tenant?: string; scope?: string; ttlSeconds?: number } = {}) =>
    signToken(SECRET, { tenant: opts.tenant ?? 'school', userId: user, scope: opts.scope, ttlSeconds: opts.ttlSeconds });

  const request = async (
    method: string,
    path: string,
    opts: { as?: string; tenant?: string; token?: string; json?: unknown; body?: FormData | string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...opts.headers };
    const bearer = opts.token ?? (opts.as ? await token(opts.as, { tenant: opts.tenant }) : undefined);
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };

  const form = (meta: unknown, file?: { name?: string; content?: string | Uint8Array; type?: string }) => {
    const f = new FormData();
    if (meta !== undefined) f.append('meta', typeof meta === 'string' ? meta : JSON.stringify(meta));
    if (file) f.append('file', new Blob([file.content ?? 'hello'], { type: file.type ?? 'text/plain' }), file.name ?? 'note.txt');
    return f;
  };

  const importDirectory = async (tenant = 'school', directory: unknown = schoolDirectory) => {
    const res = await request('PUT', '/v1/directory', { token: await token('sync-service', { tenant, scope: 'directory:write' }), json: directory });
    if (res.status !== 200) throw new Error(`directory import failed: ${res.status} ${res.text}`);
    return res.json;
  };

  const createCategory = async (designation = 'Council minutes', tenant = 'school') => {
    const res = await request('POST', '/v1/categories', { as: 'admin', tenant, json: { designation } });
    if (res.status !== 201) throw new Error(`category failed: ${res.status} ${res.text}`);
    return res.json.id as string;
  };

  const deposit = async (
    as: string,
    meta: Record<string, unknown>,
    file: { name?: string; content?: string | Uint8Array; type?: string } = {},
    opts: { tenant?: string; headers?: Record<string, string> } = {},
  ) => request('POST', '/v1/documents', { as, tenant: opts.tenant, body: form(meta, file), headers: opts.headers });

  /** Events in the log, and files in the blob store: what a refused request must not have changed. */
  const footprint = () => {
    const events = running.app.deps.events.readAll({ limit: 1_000_000 });
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const blobRoot = s3 ? s3.directory : join(dataDir, 'blobs');
    return events.map((all) => ({
      events: all.length,
      // Data keys and credentials share the bucket (ADR 23, 25) but are not document bytes.
      blobs: statSync(blobRoot, { throwIfNoEntry: false }) ? files(blobRoot).filter((f) => !f.includes(`${'/'}keys${'/'}`) && !f.includes(`${'/'}credentials${'/'}`)).sort() : [],
    }));
  };

  return {
    url,
    dataDir,
    /** Where this server keeps anything: its data folder, and the S3 server's folder when blobs are on S3. */
    storageRoots: [dataDir, ...(s3 ? [s3.directory] : [])],
    running,
    token,
    request,
    form,
    importDirectory,
    createCategory,
    deposit,
    footprint: async () => (await footprint())._unsafeUnwrap(),
    stop: async () => {
      await running.stop();
      await s3?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** A server with the school's directory imported and one category: what most HTTP suites start from. */
export const startSchool = async (env: Record<string, string> = {}) => {
  const h = await startHarness(env);
  await h.importDirectory();
  return { h, category: await h.createCategory() };
};
