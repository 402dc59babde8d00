import { MAX_FILES_PER_DEPOSIT } from '../../src/adapters/http/upload.js';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
const LIMIT = 1024 * 1024;

beforeAll(async () => {
  // Short windows so a stalled upload is cut within the test; real defaults are 30 s and 1 KiB/s.
  h = await startHarness({ LOCKER_UPLOAD_IDLE_TIMEOUT_MS: '400', LOCKER_UPLOAD_MIN_BYTES_PER_SECOND: '2000' });
  await h.importDirectory();
  category = await h.createCategory();
  expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: LIMIT } })).status).toBe(200);
});
afterAll(async () => h.stop());

const BOUNDARY = 'locker-test-boundary';
const meta = (over: Record<string, unknown> = {}) => JSON.stringify({ recipients: { users: ['marc'] }, categoryId: category, ...over });
const head = (metaJson: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="meta"\r\n\r\n${metaJson}\r\n` +
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
const tail = `\r\n--${BOUNDARY}--\r\n`;

/** Files under the data folder's blobs (staging included): what a refused upload must not leave. */
const settled = async () => {
  const before = JSON.stringify(await h.footprint());
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = JSON.stringify(await h.footprint());
    if (now === before) return JSON.parse(now);
  }
  return h.footprint();
};

describe('uploads that try to exhaust the server', () => {
  it('a chunked upload over the limit is answered 413 as soon as the limit is passed, not after its end', async () => {
    const before = await h.footprint();
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(7);
    const encoder = new TextEncoder();
    let started = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!started) {
          started = true;
          return controller.enqueue(encoder.encode(head(meta())));
        }
        // Up to 1 GiB if the server kept reading: it must answer long before.
        if (pulled >= 1024 * 1024 * 1024) return controller.close();
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const token = await h.token('anne');
    const res = await fetch(`${h.url}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body,
      duplex: 'half',
    } as RequestInit);
    const pulledAtAnswer = pulled;
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'FILE_TOO_LARGE', maxDocumentBytes: LIMIT });
    // The limit plus what sockets buffer: megabytes, not the gigabyte on offer.
    expect(pulledAtAnswer).toBeLessThan(LIMIT + 16 * 1024 * 1024);
    expect(await settled()).toEqual(before);
  });

  it('an upload that stalls is cut with 408 and its staging file removed', async () => {
    const before = await h.footprint();
    const answer = await rawUpload({ bytesEvery: 0 });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/"code":"UPLOAD_TOO_SLOW"/);
    expect(await settled()).toEqual(before);
  });

  it('an upload that trickles below the minimum rate is cut with 408', async () => {
    const before = await h.footprint();
    const answer = await rawUpload({ bytesEvery: 100 });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(await settled()).toEqual(before);
  });

  it('a deposit with more file parts than allowed is refused whole: 400, no event, no bytes', async () => {
    const before = await h.footprint();
    const form = new FormData();
    form.append('meta', meta());
    for (let i = 0; i <= MAX_FILES_PER_DEPOSIT; i++) form.append('file', new Blob([`file ${i}`]), `f${i}.txt`);
    const res = await h.request('POST', '/v1/documents', { as: 'anne', body: form });
    expect([res.status, res.json.code]).toEqual([400, 'TOO_MANY_FILES']);
    expect(await settled()).toEqual(before);
  });

  it('a new version with two file parts is refused whole: 400, nothing written', async () => {
    const doc = (await h.request('POST', '/v1/documents', { as: 'anne', body: h.form(JSON.parse(meta()), { content: 'v1' }) })).json;
    const before = await h.footprint();
    const form = new FormData();
    form.append('file', new Blob(['first']), 'a.txt');
    form.append('file', new Blob(['second']), 'b.txt');
    const res = await h.request('PUT', `/v1/documents/${doc.id}/content`, { as: 'anne', body: form });
    expect([res.status, res.json.code]).toEqual([400, 'TOO_MANY_FILES']);
    expect(await settled()).toEqual(before);
  });

  it('refusals sent before the body is read reach Node’s fetch as answers, not as connection errors', async () => {
    const token = { anne: await h.token('anne'), marc: await h.token('marc') };
    // Bodies larger than what loopback sockets buffer: the client is still sending when the answer comes.
    // A deposit may carry MAX_FILES_PER_DEPOSIT files, so a declared length is refused up front once it
    // is over that many times the limit.
    const limit = LIMIT / 4;
    expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: limit } })).status).toBe(200);
    const big = new Uint8Array(limit * MAX_FILES_PER_DEPOSIT + 2 * LIMIT).fill(1);
    const payload = new Uint8Array(LIMIT * 4).fill(2);
    const statuses: number[] = [];
    const failures: string[] = [];
    try {
    for (let i = 0; i < 100; i++) {
      const form = new FormData();
      form.append('meta', meta());
      // Half are a 403 (marc may not deposit, known once the meta is read), half a 413 on the declared length.
      const as = i % 2 === 0 ? 'marc' : 'anne';
      form.append('file', new Blob([i % 2 === 0 ? payload : big]), 'x.bin');
      try {
        const res = await fetch(`${h.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token[as]}` }, body: form });
        statuses.push(res.status);
        await res.arrayBuffer();
      } catch (e) {
        failures.push(String((e as Error).cause ?? e));
      }
    }
    } finally {
      await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: LIMIT } });
    }
    expect(failures).toEqual([]);
    expect(statuses.filter((s) => s === 403)).toHaveLength(50);
    expect(statuses.filter((s) => s === 413)).toHaveLength(50);
  });
});

/** A deposit sent by hand: headers, meta, the start of a file, then one byte every `bytesEvery` ms (0: nothing more). */
const rawUpload = async ({ bytesEvery }: { bytesEvery: number }) => {
  const token = await h.token('anne');
  const { port } = new URL(h.url);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      const start = head(meta());
      socket.write(
        `POST /v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${start.length + 100_000 + tail.length}\r\n\r\n${start}abc`,
      );
      if (bytesEvery > 0) timer = setInterval(() => socket.writable && socket.write('x'), bytesEvery);
    });
    socket.on('data', (d) => {
      answer += d;
      if (answer.includes('\r\n\r\n') && answer.includes('}')) {
        clearInterval(timer);
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', reject);
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      resolve(answer || 'no answer within 10 s');
    }, 10_000);
  });
};
