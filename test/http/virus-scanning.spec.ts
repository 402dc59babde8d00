import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackHole } from '../support/black-hole.js';
import { clamdMissing, EICAR, startClamd, TAIL_MARKER } from '../support/clamd-server.js';
import { startSchool } from '../support/harness.js';

if (clamdMissing) console.log(`virus-scanning.spec: ${clamdMissing}: the scans against a real clamd are skipped`);

type School = Awaited<ReturnType<typeof startSchool>>;

const files = (meta: object, parts: { name: string; content: string | Uint8Array }[]) => {
  const f = new FormData();
  f.append('meta', JSON.stringify(meta));
  for (const p of parts) f.append('file', new Blob([p.content], { type: 'application/octet-stream' }), p.name);
  return f;
};

/** Megabytes of harmless bytes, `tail` written in their last megabyte. */
const large = (mib: number, tail = '') => {
  const bytes = new Uint8Array(mib * 1024 * 1024).fill(0x61);
  bytes.set(new TextEncoder().encode(tail), bytes.length - 512 * 1024);
  return bytes;
};

/** What a refused request must leave as it was: the documents' events and the stored bytes. */
const kept = async ({ h }: School) => {
  const { blobs } = await h.footprint();
  const events = (await h.running.app.deps.events.readAll({ limit: 1_000_000 }))._unsafeUnwrap().filter((e) => e.type !== 'InfectedUploadRefused');
  // Staging included: a refused upload leaves none behind.
  return { events: events.length, blobs };
};

describe.skipIf(clamdMissing !== undefined)('every file that comes in is scanned by a real clamd (issue 34)', () => {
  let clamd: Awaited<ReturnType<typeof startClamd>>;
  let school: School;
  let h: School['h'];
  let category: string;
  const meta = () => ({ recipients: { users: ['marc'] }, categoryId: category });

  beforeAll(async () => {
    clamd = await startClamd(64 * 1024 * 1024);
    school = await startSchool({ LOCKER_CLAMD_URL: clamd.tcpUrl, LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: String(32 * 1024 * 1024) });
    ({ h, category } = school);
  }, 60_000);
  afterAll(async () => {
    await school?.h.stop();
    await clamd?.stop();
  });

  it('a clean file is deposited; /ready says the scanner answers', async () => {
    expect((await h.deposit('anne', meta(), { name: 'minutes.txt', content: 'the minutes' })).status).toBe(201);
    expect((await h.request('GET', '/ready')).json).toEqual({ status: 'ready' });
  });

  it('an infected file is refused with 422 INFECTED naming its signature, keeps nothing, and is recorded for auditors and told to the admins', async () => {
    const before = await kept(school);
    const refused = await h.deposit('anne', meta(), { name: 'invoice.pdf', content: EICAR });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.json).toMatchObject({ code: 'INFECTED', fileName: 'invoice.pdf', signature: expect.stringMatching(/^Eicar-Test-Signature/) });
    expect(await kept(school)).toEqual(before);
    const audit = (await h.request('GET', '/v1/audit/events?type=InfectedUploadRefused', { as: 'auditor' })).json;
    expect(audit.items.map((e: { actor: string; data: Record<string, unknown> }) => [e.actor, e.data.fileName, e.data.via, e.data.signature])).toContainEqual(['anne', 'invoice.pdf', 'deposit', expect.stringMatching(/^Eicar/)]);
    const told = (await h.request('GET', '/v1/notifications', { as: 'admin' })).json.items;
    expect(told).toContainEqual(expect.objectContaining({ kind: 'infected-upload', actorId: 'anne', title: expect.stringMatching(/^Eicar/) }));
    const refusedList = (await h.request('GET', '/v1/admin/refused-uploads', { as: 'admin' })).json.items;
    expect(refusedList).toContainEqual({ userId: 'anne', fileName: 'invoice.pdf', signature: expect.stringMatching(/^Eicar/), via: 'deposit', at: expect.any(String) });
    expect((await h.request('GET', '/v1/admin/refused-uploads', { as: 'marc' })).status).toBe(403);
    // Teachers are not told: it is the admins' business.
    expect((await h.request('GET', '/v1/notifications', { as: 'marc' })).json.items.map((n: { kind: string }) => n.kind)).not.toContain('infected-upload');
  });

  it('a file infected only in its last megabyte is found: the whole stream is scanned', async () => {
    const before = await kept(school);
    const refused = await h.request('POST', '/v1/documents', { as: 'anne', body: files(meta(), [{ name: 'big.bin', content: large(8, TAIL_MARKER) }]) });
    expect([refused.status, refused.json.code, refused.json.signature]).toEqual([422, 'INFECTED', expect.stringMatching(/^Locker-Test-Tail/)]);
    expect(await kept(school)).toEqual(before);
    expect((await h.request('POST', '/v1/documents', { as: 'anne', body: files(meta(), [{ name: 'big.bin', content: large(8) }]) })).status).toBe(201);
  });

  it('several files with one infected are all refused', async () => {
    const before = await kept(school);
    const refused = await h.request('POST', '/v1/documents', { as: 'anne', body: files(meta(), [{ name: 'a.txt', content: 'clean' }, { name: 'b.txt', content: EICAR }, { name: 'c.txt', content: 'clean too' }]) });
    expect([refused.status, refused.json.code, refused.json.fileName]).toEqual([422, 'INFECTED', 'b.txt']);
    expect(await kept(school)).toEqual(before);
  });

  it('a new version and a collection submission are scanned too', async () => {
    const doc = (await h.deposit('anne', meta(), { name: 'plan.txt', content: 'v1' })).json;
    const before = await kept(school);
    const version = await h.request('PUT', `/v1/documents/${doc.id}/content`, { as: 'anne', body: h.form(undefined, { name: 'plan.txt', content: EICAR }) });
    expect([version.status, version.json.code]).toEqual([422, 'INFECTED']);
    expect(await kept(school)).toEqual(before);
    expect((await h.request('GET', `/v1/documents/${doc.id}`, { as: 'anne' })).json.version).toBe(1);

    const asked = await h.request('POST', '/v1/collections', { as: 'anne', json: { title: 'Reports', categoryId: category, recipients: { users: ['marc'] }, dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() } });
    expect(asked.status).toBe(201);
    const submitted = await h.request('POST', `/v1/collections/${asked.json.id}/submissions`, { as: 'marc', body: h.form(undefined, { name: 'report.txt', content: EICAR }) });
    expect([submitted.status, submitted.json.code]).toEqual([422, 'INFECTED']);
    const audit = (await h.request('GET', '/v1/audit/events?type=InfectedUploadRefused', { as: 'auditor' })).json;
    expect(audit.items.map((e: { data: { via: string } }) => e.data.via)).toEqual(expect.arrayContaining(['version', 'submission']));
  });
});

describe.skipIf(clamdMissing !== undefined)('clamd refusing a stream longer than its StreamMaxLength', () => {
  it('is a scanner failure, never clean: 503, nothing kept', async () => {
    const clamd = await startClamd(1024 * 1024);
    const school = await startSchool({ LOCKER_CLAMD_URL: clamd.tcpUrl });
    try {
      const before = await kept(school);
      const refused = await school.h.request('POST', '/v1/documents', { as: 'anne', body: files({ recipients: { users: ['marc'] }, categoryId: school.category }, [{ name: 'long.bin', content: large(3) }]) });
      expect([refused.status, refused.json.code]).toEqual([503, 'SCANNER_UNAVAILABLE']);
      expect(await kept(school)).toEqual(before);
    } finally {
      await school.h.stop();
      await clamd.stop();
    }
  }, 60_000);
});

describe('a scanner that does not answer', () => {
  it('down: a deposit is refused with 503 and Retry-After, nothing is kept, and /ready says so', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const school = await startSchool({ LOCKER_CLAMD_URL: `tcp://127.0.0.1:${port}`, LOCKER_SCAN_TIMEOUT_MS: '1000' });
    try {
      const before = await kept(school);
      const refused = await school.h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: school.category }, { name: 'a.txt', content: 'clean, but who can tell' });
      expect([refused.status, refused.json.code, refused.headers.get('retry-after')]).toEqual([503, 'SCANNER_UNAVAILABLE', '30']);
      expect(await kept(school)).toEqual(before);
      const ready = await school.h.request('GET', '/ready');
      expect([ready.status, ready.json.detail]).toEqual([503, expect.stringContaining('SCANNER_UNAVAILABLE')]);
    } finally {
      await school.h.stop();
    }
  });

  it('silent: bounded by its timeout, then 503 and nothing kept', async () => {
    const hole = await startBlackHole();
    const school = await startSchool({ LOCKER_CLAMD_URL: `tcp://127.0.0.1:${hole.port}`, LOCKER_SCAN_TIMEOUT_MS: '300' });
    try {
      const before = await kept(school);
      const refused = await school.h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: school.category }, { name: 'a.txt', content: 'hello' });
      expect([refused.status, refused.json.code]).toEqual([503, 'SCANNER_UNAVAILABLE']);
      expect(await kept(school)).toEqual(before);
    } finally {
      await school.h.stop();
      await hole.stop();
    }
  });
});

describe.skipIf(clamdMissing !== undefined)('a file deposited from a cloud account is scanned too', () => {
  it('an infected one is refused with 422 INFECTED, as a deposit, and a new version from the cloud', async () => {
    const { randomBytes } = await import('node:crypto');
    const { startWebdav, WEBDAV_USER } = await import('../support/webdav-server.js');
    const clamd = await startClamd(1024 * 1024);
    const dav = await startWebdav({ 'invoice.pdf': EICAR, 'clean.txt': 'nothing to see' });
    const school = await startSchool({ LOCKER_CLAMD_URL: clamd.tcpUrl, LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    try {
      const { h, category } = school;
      expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { clouds: [{ id: 'nuage', kind: 'webdav', name: 'Nuage', url: dav.url }] } })).status).toBe(200);
      expect((await h.request('POST', '/v1/me/clouds', { as: 'anne', json: { cloudId: 'nuage', username: WEBDAV_USER.username, password: WEBDAV_USER.password } })).status).toBe(201);
      const before = await kept(school);
      const refused = await h.request('POST', '/v1/documents/from-cloud', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/invoice.pdf' } } });
      expect([refused.status, refused.json.code, refused.json.fileName]).toEqual([422, 'INFECTED', 'invoice.pdf']);
      expect(await kept(school)).toEqual(before);
      const doc = await h.request('POST', '/v1/documents/from-cloud', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/clean.txt' } } });
      expect(doc.status).toBe(201);
      const version = await h.request('PUT', `/v1/documents/${doc.json.id}/content/from-cloud`, { as: 'anne', json: { source: { cloudId: 'nuage', path: '/invoice.pdf' } } });
      expect([version.status, version.json.code]).toEqual([422, 'INFECTED']);
      const vias = (await h.request('GET', '/v1/admin/refused-uploads', { as: 'admin' })).json.items.map((r: { via: string }) => r.via);
      expect(vias).toEqual(['cloud', 'cloud']);
    } finally {
      await school.h.stop();
      await dav.stop();
      await clamd.stop();
    }
  }, 60_000);
});
