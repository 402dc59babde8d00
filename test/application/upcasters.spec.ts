import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { toDomain } from '../../src/application/event-envelope.js';
import { currentSchemaVersion, upcast } from '../../src/application/upcasters.js';
import { compose } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

describe('schema evolution', () => {
  it('DocumentDeposited is at version 3, RecipientAdded and DocumentCarriedOver at 2; other events at 1', () => {
    expect(currentSchemaVersion('DocumentDeposited')).toBe(3);
    expect(currentSchemaVersion('RecipientAdded')).toBe(2);
    expect(currentSchemaVersion('DocumentCarriedOver')).toBe(2);
    expect(currentSchemaVersion('MemoChanged')).toBe(1);
  });

  const stored = (type: string, schemaVersion: number, data: Record<string, unknown>) => ({
    id: 'e1', stream: 's', revision: 0, position: 1n, type, data, prevHash: '', hash: '',
    meta: { actor: 'anne', at: '2026-09-01T08:00:00.000Z', tenant: 'school', schemaVersion },
  });

  it('lifts each old shape exactly one step at a time, and leaves a current event as it is', () => {
    expect(upcast(stored('DocumentDeposited', 1, { recipientIds: ['marc'], classes: ['6A'] }))).toMatchObject({
      data: { recipientIds: ['marc'], classes: ['6A'], source: 'upload', named: ['marc'], groups: [] },
      meta: { schemaVersion: 3, actor: 'anne' },
    });
    expect(upcast(stored('DocumentDeposited', 2, { recipientIds: ['marc'], classes: [], source: { kind: 'cloud' } })).data).toEqual({
      recipientIds: ['marc'], classes: [], source: { kind: 'cloud' }, named: ['marc'], groups: [],
    });
    expect(upcast(stored('RecipientAdded', 1, { documentId: 'd' })).data).toEqual({ documentId: 'd', named: [], groups: [] });
    expect(upcast(stored('DocumentCarriedOver', 1, { documentId: 'd', recipientIds: ['sophie'], classes: ['6A'] })).data).toEqual({
      documentId: 'd', recipientIds: ['sophie'], named: ['sophie'], groups: [], classes: [],
    });
    const current = stored('DocumentDeposited', 3, { named: [] });
    expect(upcast(current)).toBe(current);
    const other = stored('MemoChanged', 1, { memo: 'x' });
    expect(upcast(other)).toBe(other);
  });

  it('history written before the change replays after it: aggregates, projections and commands see the new shape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-upcast-'));
    const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL' }));
    try {
      const uc = app.useCases;
      (await uc.syncDirectory({ tenant: 'school', userId: 's', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      const category = (await uc.createCategory({ tenant: 'school', userId: 'admin', scopes: [] }, 'Minutes'))._unsafeUnwrap();
      const staged = (await app.deps.blobs.stage('school', (async function* () {
        yield new TextEncoder().encode('old bytes');
      })(), 100))._unsafeUnwrap();
      (await staged.commit())._unsafeUnwrap();

      // Yesterday's code wrote version 1: no `source`.
      const stream = app.deps.streams.document('school', 'legacy-doc');
      const v1 = {
        id: app.deps.ids.newId(),
        type: 'DocumentDeposited',
        data: {
          documentId: 'legacy-doc', year: '2026-2027', depositorId: 'anne', title: 'Old', categoryId: category.id, memo: null,
          recipientIds: ['marc'], classes: [],
          content: { version: 1, blobKey: staged.key, sha256: staged.sha256, sizeBytes: staged.sizeBytes, fileName: 'old.txt', mediaType: 'text/plain' },
        },
        meta: { actor: 'anne', at: '2026-09-01T08:00:00.000Z', tenant: 'school', schemaVersion: 1 },
      };
      (await app.deps.events.append(stream, [v1], 'no-stream'))._unsafeUnwrap();

      const [stored] = (await app.deps.events.readStream(stream))._unsafeUnwrap();
      expect(stored!.meta.schemaVersion).toBe(1);
      // Before classes and groups were followed, everyone reached is read as named: nobody loses it.
      expect(upcast(stored!)).toMatchObject({ meta: { schemaVersion: 3 }, data: { source: 'upload', title: 'Old', named: ['marc'], groups: [] } });
      expect(toDomain(stored!)).toMatchObject({ type: 'DocumentDeposited', data: { source: 'upload' } });

      const marc = { tenant: 'school', userId: 'marc', scopes: [] };
      await uc.catchUp();
      expect((await uc.getDocument(marc, 'legacy-doc'))._unsafeUnwrap()).toMatchObject({ title: 'Old', version: 1 });
      const download = (await uc.downloadDocument(marc, 'legacy-doc', {}))._unsafeUnwrap();
      let text = '';
      for await (const chunk of download.stream) text += chunk;
      expect(text).toBe('old bytes');
      // New events of the same type are written at the current version.
      const added = await uc.addRecipients({ tenant: 'school', userId: 'anne', scopes: [] }, 'legacy-doc', { users: ['sophie'], classes: [] });
      expect(added._unsafeUnwrap().recipients).toEqual(['marc', 'sophie']);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
