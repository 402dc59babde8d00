import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';
import { startWebdav, WEBDAV_USER } from '../support/webdav-server.js';

/** Linking, browsing and depositing from a person's cloud, on a real WebDAV server in a child process. */
describe('clouds at the application layer', () => {
  let app: EmbeddedApp;
  let dav: Awaited<ReturnType<typeof startWebdav>>;
  let categoryId: string;
  const link = (who = 'anne', cloudId = 'nuage', password = WEBDAV_USER.password) => app.useCases.clouds.link(as(who), { cloudId, username: WEBDAV_USER.username, password });
  const lockerEvents = async (who: string) => (await app.deps.events.readStream(app.deps.streams.locker('school', who)))._unsafeUnwrap().map((e) => e.type);

  beforeAll(async () => {
    dav = await startWebdav({ 'Cours/plan.txt': 'the plan', 'Cours/notes.md': '# notes', 'readme.txt': 'hello' });
    app = await embeddedApp({ env: { LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOCKER_CLOUD_TIMEOUT_MS: '3000' } });
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    (await app.useCases.updateSettings(as('admin'), { clouds: [{ id: 'nuage', kind: 'webdav', name: 'Nuage', url: dav.url }] }))._unsafeUnwrap();
  });
  afterAll(async () => {
    await app.stop();
    await dav.stop();
  });

  it('a wrong password is refused by the server and nothing is kept; an unknown cloud is not found', async () => {
    // The admin links no cloud in any other test.
    expect((await link('admin', 'nuage', 'wrong'))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_AUTH_FAILED' });
    expect((await app.useCases.clouds.list(as('admin')))._unsafeUnwrap()).toEqual([]);
    expect(await lockerEvents('admin')).not.toContain('CloudLinked');
    expect((await link('admin', 'elsewhere'))._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'cloud' });
    expect((await link('leo'))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
  });

  it('a link is checked, kept sealed, listed without its password, and recorded on the person’s locker', async () => {
    const linked = (await link())._unsafeUnwrap();
    expect(linked).toEqual({ cloudId: 'nuage', name: 'Nuage', kind: 'webdav', username: WEBDAV_USER.username, linkedAt: expect.any(String) });
    expect((await app.useCases.clouds.list(as('anne')))._unsafeUnwrap()).toEqual([linked]);
    expect(JSON.stringify((await app.useCases.clouds.list(as('anne')))._unsafeUnwrap())).not.toContain(WEBDAV_USER.password);
    expect(await lockerEvents('anne')).toContain('CloudLinked');
    // Others have their own links: Anne's is not Marc's (Marc links none in any test).
    expect((await app.useCases.clouds.list(as('marc')))._unsafeUnwrap()).toEqual([]);
  });

  it('browsing lists folders first, then files, with their size; an unlinked person or cloud is told so', async () => {
    (await link())._unsafeUnwrap();
    const root = (await app.useCases.clouds.browse(as('anne'), 'nuage', '/'))._unsafeUnwrap();
    expect(root.map((e) => [e.name, e.type, e.size])).toEqual([
      ['Cours', 'folder', null],
      ['readme.txt', 'file', 5],
    ]);
    const inside = (await app.useCases.clouds.browse(as('anne'), 'nuage', '/Cours'))._unsafeUnwrap();
    expect(inside.map((e) => e.name)).toEqual(['notes.md', 'plan.txt']);
    expect((await app.useCases.clouds.browse(as('marc'), 'nuage', '/'))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_NOT_LINKED', cloudId: 'nuage' });
    expect((await app.useCases.clouds.browse(as('anne'), 'other', '/'))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_NOT_LINKED', cloudId: 'other' });
    expect((await app.useCases.clouds.browse(as('anne'), 'nuage', '/../..'))._unsafeUnwrapErr().code).toBe('CLOUD_PATH_INVALID');
  });

  it('a deposit from the cloud holds the file’s bytes and says where they came from', async () => {
    (await link())._unsafeUnwrap();
    const meta = { recipients: { users: ['marc'], classes: [] }, categoryId };
    const fromCloud = (by: string, path: string) => app.useCases.depositDocument.fromCloud(as(by), meta, { cloudId: 'nuage', path }, undefined);
    const out = (await fromCloud('anne', '/Cours/plan.txt'))._unsafeUnwrap();
    const doc = out.documents[0]!;
    expect(doc).toMatchObject({ fileName: 'plan.txt', sizeBytes: 8, recipients: ['marc'] });
    const deposited = (await app.deps.events.readStream(app.deps.streams.document('school', doc.id)))._unsafeUnwrap()[0]!;
    const data = deposited.data as { source: unknown; cloud: unknown };
    expect(data.source).toBe('cloud');
    expect(data.cloud).toEqual({ cloudId: 'nuage', path: '/Cours/plan.txt', etag: expect.anything() });
    const got = (await app.useCases.downloadDocument(as('marc'), doc.id, {}))._unsafeUnwrap();
    let text = '';
    for await (const chunk of got.stream) text += Buffer.from(chunk as Uint8Array).toString();
    expect(text).toBe('the plan');
    // A missing file, a folder: refused, nothing deposited.
    expect((await fromCloud('anne', '/Cours/none.txt'))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_NOT_FOUND', path: '/Cours/none.txt' });
    expect((await fromCloud('anne', '/Cours'))._unsafeUnwrapErr().code).toBe('CLOUD_PATH_INVALID');
    expect((await fromCloud('admin', '/readme.txt'))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_NOT_LINKED', cloudId: 'nuage' });
  });

  it('unlinking destroys the credentials and is recorded; unlinking again says it was not linked', async () => {
    (await link('sophie'))._unsafeUnwrap();
    expect((await app.useCases.clouds.unlink(as('sophie'), 'nuage'))._unsafeUnwrap()).toBeNull();
    expect((await app.useCases.clouds.list(as('sophie')))._unsafeUnwrap()).toEqual([]);
    expect(await lockerEvents('sophie')).toEqual(expect.arrayContaining(['CloudLinked', 'CloudUnlinked']));
    expect((await app.useCases.clouds.unlink(as('sophie'), 'nuage'))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_NOT_LINKED', cloudId: 'nuage' });
    expect((await app.useCases.clouds.browse(as('sophie'), 'nuage', '/'))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_NOT_LINKED', cloudId: 'nuage' });
  });

  it('a cloud the admin removes is no longer listed nor usable, though the link was made', async () => {
    (await link('paul'))._unsafeUnwrap();
    (await app.useCases.updateSettings(as('admin'), { clouds: [] }))._unsafeUnwrap();
    try {
      expect((await app.useCases.clouds.list(as('paul')))._unsafeUnwrap()).toEqual([]);
      expect((await app.useCases.clouds.browse(as('paul'), 'nuage', '/'))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_NOT_LINKED', cloudId: 'nuage' });
    } finally {
      (await app.useCases.updateSettings(as('admin'), { clouds: [{ id: 'nuage', kind: 'webdav', name: 'Nuage', url: dav.url }] }))._unsafeUnwrap();
    }
  });
});
