import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDirectory } from '../support/fixtures.js';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

const deposit = async (as: string, users: string[], content = 'the minutes of the council') => {
  const res = await h.deposit(as, { recipients: { users }, categoryId: category }, { content });
  expect(res.status).toBe(201);
  return res.json.id as string;
};

/** The directory without some people, and with others turned into students. */
const directoryWithout = (gone: string[], students: string[] = []) => ({
  ...schoolDirectory,
  users: schoolDirectory.users.filter((u) => !gone.includes(u.id)).map((u) => (students.includes(u.id) ? { ...u, kind: 'student' } : u)),
  classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => !gone.includes(t) && !students.includes(t)) })),
});

const openings = async (id: string, as = 'anne') => {
  const items = (await h.request('GET', '/v1/distribution', { as })).json.items as { id: string; recipientStatuses: { userId: string; consultations: unknown[] }[] }[];
  return Object.fromEntries(items.find((i) => i.id === id)!.recipientStatuses.map((r) => [r.userId, r.consultations.length]));
};

describe('a token outlives nobody’s place in the directory', () => {
  it('someone who left, or became a student, reads nothing with a still-valid token', async () => {
    const id = await deposit('anne', ['marc', 'sophie']);
    const marc = await h.token('marc');
    const sophie = await h.token('sophie');
    expect((await h.request('GET', `/v1/documents/${id}/content`, { token: marc })).status).toBe(200);
    try {
      await h.importDirectory('school', directoryWithout(['marc'], ['sophie']));
      for (const token of [marc, sophie]) {
        for (const [path, headers] of [
          [`/v1/documents/${id}/content`, {}],
          [`/v1/documents/${id}/content?version=1`, {}],
          [`/v1/documents/${id}/content`, { range: 'bytes=0-3' }],
          [`/v1/documents/${id}`, {}],
          ['/v1/locker', {}],
        ] as const) {
          const res = await h.request('GET', path, { token, headers });
          expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 403, 'application/problem+json; charset=utf-8']);
        }
      }
    } finally {
      await h.importDirectory();
    }
    // Back in the directory, the same people read again: they were never removed as recipients.
    expect((await h.request('GET', `/v1/documents/${id}/content`, { token: marc })).status).toBe(200);
  });

  it('a depositor who left changes nothing, and nothing is written', async () => {
    const id = await deposit('paul', ['marc']);
    const paul = await h.token('paul');
    try {
      await h.importDirectory('school', directoryWithout(['paul']));
      const before = await h.footprint();
      const form = h.form(undefined, { content: 'new version' });
      for (const [method, path, opts] of [
        ['PATCH', `/v1/documents/${id}`, { json: { memo: 'x' } }],
        ['POST', `/v1/documents/${id}/recipients`, { json: { users: ['sophie'] } }],
        ['PUT', `/v1/documents/${id}/content`, { body: form }],
        ['DELETE', `/v1/documents/${id}`, {}],
        ['DELETE', `/v1/locker/documents/${id}`, {}],
      ] as const) {
        expect([method, path, (await h.request(method, path, { token: paul, ...opts })).status]).toEqual([method, path, 403]);
      }
      expect(await h.footprint()).toEqual(before);
    } finally {
      await h.importDirectory();
    }
  });
});

describe('what counts as opening a document', () => {
  it('a HEAD, or a range that does not start at the first byte, records no consultation', async () => {
    const id = await deposit('anne', ['marc']);
    const head = await h.request('HEAD', `/v1/documents/${id}/content`, { as: 'marc' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '26']);
    const middle = await h.request('GET', `/v1/documents/${id}/content`, { as: 'marc', headers: { range: 'bytes=4-10' } });
    expect([middle.status, middle.text]).toEqual([206, 'minutes']);
    const last = await h.request('GET', `/v1/documents/${id}/content`, { as: 'marc', headers: { range: 'bytes=-1' } });
    expect(last.status).toBe(206);
    expect(await openings(id)).toEqual({ marc: 0 });
  });

  it('a GET that sends the first byte is an opening, recorded once per person and version', async () => {
    const id = await deposit('anne', ['marc']);
    const first = await h.request('GET', `/v1/documents/${id}/content`, { as: 'marc', headers: { range: 'bytes=0-2' } });
    expect([first.status, first.text]).toEqual([206, 'the']);
    expect(await openings(id)).toEqual({ marc: 1 });
    expect((await h.request('GET', `/v1/documents/${id}/content`, { as: 'marc' })).status).toBe(200);
    expect(await openings(id)).toEqual({ marc: 1 });
  });
});
