import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool({ LOCKER_MAX_CONCURRENT_UPLOADS: '1' }));
});
afterAll(async () => h.stop());

const BOUNDARY = 'locker-slots-boundary';

/** A deposit whose file arrives only when `release` is called: an upload that holds its slot. */
const heldUpload = async () => {
  const encoder = new TextEncoder();
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step++ === 0) {
        controller.enqueue(
          encoder.encode(
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="meta"\r\n\r\n${JSON.stringify({ recipients: { users: ['marc'] }, categoryId: category })}\r\n` +
              `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\nfirst half `,
          ),
        );
        return;
      }
      await released;
      controller.enqueue(encoder.encode(`second half\r\n--${BOUNDARY}--\r\n`));
      controller.close();
    },
  });
  const answer = fetch(`${h.url}/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await h.token('anne')}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body,
    duplex: 'half',
  } as RequestInit);
  return { answer, release };
};

describe('uploads in flight are bounded (issue 31)', () => {
  it('past the bound a new upload is a 503 with Retry-After, read by the client, leaving nothing; once one ends, the next goes through', async () => {
    const held = await heldUpload();
    // The held upload has its slot once the server reads its body: waited for, not slept on.
    const slots = (h.running.server as unknown as { uploadSlots: { inUse: number } }).uploadSlots;
    for (let i = 0; i < 500 && slots.inUse < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(slots.inUse).toBe(1);
    // The held upload stages its bytes meanwhile: what the refused one may not leave is outside staging.
    const settled = async () => {
      const f = await h.footprint();
      return { events: f.events, blobs: f.blobs.filter((b) => !b.includes('.staging')) };
    };
    const before = await settled();
    const refused = await h.deposit('paul', { recipients: { users: ['marc'] }, categoryId: category }, { content: 'refused for now' });
    expect(refused.status, refused.text).toBe(503);
    expect(refused.json).toMatchObject({ code: 'TOO_MANY_UPLOADS', retryAfterSeconds: 5 });
    const version = await h.request('PUT', '/v1/documents/anything/content', { as: 'anne', body: h.form(undefined, { content: 'v2' }) });
    expect([404, 503]).toContain(version.status);
    expect(await settled()).toEqual(before);
    held.release();
    expect((await held.answer).status).toBe(201);
    const next = await h.deposit('paul', { recipients: { users: ['marc'] }, categoryId: category }, { content: 'now it goes' });
    expect(next.status, next.text).toBe(201);
  });
});
