import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schoolDirectory } from '../test/support/fixtures.js';
import { startServer, token } from './server.js';

type Operation = { method: string; path: string; params: string[]; query: string[]; body: 'json' | 'multipart' | 'none' };

/** Every operation the server documents, read from its own /openapi.json. */
const operationsOf = (doc: { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, unknown> } }>> }): Operation[] =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete', 'head'].includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        body: path === '/v1/documents' && method === 'post' ? 'multipart' : path.endsWith('/content') && method === 'put' ? 'multipart' : op.requestBody ? 'json' : 'none',
      })),
  );

// Values an attacker or a careless client sends: huge, empty, encoded, unicode, numbers out of range.
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '..', '../../etc/passwd', '%00', '%', '%zz', '\u0000', '\ud800', '🤖', 'null', 'undefined', '-1', '0', '1e309', 'NaN', '9223372036854775808', '99999999999999999999999999999999999999999', "' OR 1=1 --", '<script>', 'x'.repeat(5000)),
  fc.integer().map(String),
  fc.double().map(String),
);
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('users', 'classes', 'designation', 'memo', 'categoryId', 'maxDocumentBytes', 'currentYear', 'from', 'to', 'dryRun', 'profiles', 'recipients', '__proto__', 'constructor', 'x'), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A path segment as a client would send it; a lone surrogate goes out as the bytes it would be in CESU, which no URL decoder accepts. */
const segment = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return value.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^%\w.~-]/g, (c) => encodeURIComponent(c));
  }
};

/**
 * At least `count` requests generated from /openapi.json with hostile values (fast-check): path
 * parameters, queries, JSON and multipart bodies, as several users and with broken tokens. The
 * goal is no 5xx at all: a client's mistake is always a 4xx.
 */
export const hostileRun = async (count = 10_000, seed = Date.now()) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'locker-hostile-'));
  const server = await startServer(dataDir);
  try {
    const sync = await token('school', 'sync', 'directory:write');
    await fetch(`${server.url}/v1/directory`, { method: 'PUT', headers: { authorization: `Bearer ${sync}`, 'content-type': 'application/json' }, body: JSON.stringify(schoolDirectory) });
    const tokens = [await token('school', 'admin'), await token('school', 'anne'), await token('school', 'auditor'), await token('school', 'leo'), await token('other', 'anne'), 'not-a-token', ''];
    const operations = operationsOf((await (await fetch(`${server.url}/openapi.json`)).json()) as never);
    const request = fc.record({
      op: fc.constantFrom(...operations),
      token: fc.constantFrom(...tokens),
      params: fc.array(hostileString, { minLength: 3, maxLength: 3 }),
      query: fc.array(fc.tuple(fc.string({ maxLength: 12 }), hostileString), { maxLength: 3 }),
      queryValues: fc.array(hostileString, { minLength: 6, maxLength: 6 }),
      json: hostileJson,
      rawBody: fc.option(hostileString, { nil: undefined }),
      meta: hostileJson,
      file: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
    });
    const samples = fc.sample(request, { numRuns: count, seed });
    const statuses: Record<string, number> = {};
    const failures: { method: string; url: string; status: number; body: string }[] = [];
    let sent = 0;
    const one = async (r: (typeof samples)[number]) => {
      const path = r.op.path.replace(/\{(\w+)\}|:(\w+)/g, () => segment(r.params[sent % 3]!));
      const q = new URLSearchParams();
      r.op.query.forEach((name, i) => q.set(name, r.queryValues[i % 6]!));
      r.query.forEach(([k, v]) => q.set(k, v));
      const url = `${server.url}${path}${q.size ? `?${q}` : ''}`;
      const headers: Record<string, string> = r.token ? { authorization: `Bearer ${r.token}` } : {};
      let body: string | FormData | undefined;
      if (r.op.body === 'json') {
        headers['content-type'] = 'application/json';
        body = r.rawBody ?? JSON.stringify(r.json);
      } else if (r.op.body === 'multipart') {
        const form = new FormData();
        form.append('meta', typeof r.meta === 'string' ? r.meta : JSON.stringify(r.meta));
        if (r.file) form.append('file', new Blob([r.file]), 'f.bin');
        body = form;
      }
      const res = await fetch(url, { method: r.op.method, headers, body: r.op.method === 'GET' || r.op.method === 'HEAD' ? undefined : body });
      const text = await res.text();
      sent += 1;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status >= 500) failures.push({ method: r.op.method, url, status: res.status, body: text.slice(0, 300) });
    };
    const started = performance.now();
    // Four at a time: enough to interleave commands, not so many that the machine is the bottleneck.
    for (let i = 0; i < samples.length; i += 4) await Promise.all(samples.slice(i, i + 4).map(one));
    return {
      seed,
      operations: operations.length,
      requests: sent,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      statuses,
      serverErrors: failures.length,
      firstServerErrors: failures.slice(0, 5),
      ok: failures.length === 0 && sent >= count,
    };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
};
