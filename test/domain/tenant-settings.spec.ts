import { describe, expect, it } from 'vitest';
import { tenantSettingsDecider, usableCategory, type TenantSettingsEvent } from '../../src/domain/index.js';
import { AT, given } from './given.js';

const settings = (history: TenantSettingsEvent[]) => given(tenantSettingsDecider, history);
const by = { actorId: 'admin', at: AT };
const created = (categoryId: string, designation: string): TenantSettingsEvent => ({ type: 'CategoryCreated', data: { categoryId, designation }, actor: 'admin', at: AT });
const retired = (categoryId: string): TenantSettingsEvent => ({ type: 'CategoryRetired', data: { categoryId }, actor: 'admin', at: AT });
const create = (designation: string, categoryId = 'c2') => ({ type: 'CreateCategory' as const, ...by, categoryId, designation });

describe('categories', () => {
  it('are created with a normalised designation (NFC, single spaces, trimmed)', () => {
    settings([]).when(create('  Council   minutes ', 'c1')).then([created('c1', 'Council minutes')]);
    settings([]).when(create('Re\u0301unions', 'c1')).then([created('c1', 'Réunions')]);
  });

  it('refuse a duplicate whatever its case or accents, but not a retired one’s name', () => {
    const history = [created('c1', 'Réunions')];
    settings(history).when(create('REUNIONS')).thenError('DESIGNATION_TAKEN', { designation: 'REUNIONS' });
    settings(history).when(create('réunions')).thenError('DESIGNATION_TAKEN');
    settings([...history, retired('c1')]).when(create('Réunions')).then([created('c2', 'Réunions')]);
  });

  it('say why a designation is refused', () => {
    settings([]).when(create('a\ud800')).thenError('INVALID_DESIGNATION', { reason: 'contains an unpaired surrogate' });
    settings([]).when(create('a\u200bb')).thenError('INVALID_DESIGNATION', { reason: 'contains a control or invisible character' });
    settings([]).when(create(' ')).thenError('INVALID_DESIGNATION', { reason: 'a designation has 1 to 100 characters' });
  });

  it('with different names live side by side', () => {
    settings([created('c1', 'Minutes')]).when(create('Exams')).then([created('c2', 'Exams')]);
  });

  it('refuse blank, too long, control, NUL, invisible characters and lone surrogates', () => {
    for (const bad of ['   ', 'x'.repeat(101), 'a\u0000b', 'a\u0007b', 'a\u200bb', 'a\u202eb', 'a\ufeffb', 'a\ud800b', 'a\udc00']) {
      settings([]).when(create(bad)).thenError('INVALID_DESIGNATION');
    }
    settings([]).when(create('x'.repeat(100), 'c1')).then([created('c1', 'x'.repeat(100))]);
    settings([]).when(create('Émojis 📚', 'c1')).then([created('c1', 'Émojis 📚')]);
  });

  it('are renamed unless retired, and renaming to the same name records nothing', () => {
    const history = [created('c1', 'Minutes')];
    settings(history).when({ type: 'RenameCategory', ...by, categoryId: 'c1', designation: 'Council' }).then([
      { type: 'CategoryRenamed', data: { categoryId: 'c1', designation: 'Council' }, actor: 'admin', at: AT },
    ]);
    settings(history).when({ type: 'RenameCategory', ...by, categoryId: 'c1', designation: ' Minutes ' }).then([]);
    settings([...history, retired('c1')]).when({ type: 'RenameCategory', ...by, categoryId: 'c1', designation: 'X' }).thenError('CATEGORY_RETIRED');
    settings(history).when({ type: 'RenameCategory', ...by, categoryId: 'nope', designation: 'X' }).thenError('CATEGORY_NOT_FOUND');
  });

  it('are retired once, and a retired one is no longer usable', () => {
    const history = [created('c1', 'Minutes')];
    const after = settings(history).when({ type: 'RetireCategory', ...by, categoryId: 'c1' }).then([retired('c1')]);
    settings([...history, retired('c1')]).when({ type: 'RetireCategory', ...by, categoryId: 'c1' }).then([]);
    settings(history).when({ type: 'RetireCategory', ...by, categoryId: 'nope' }).thenError('CATEGORY_NOT_FOUND');
    expect(usableCategory(after, 'c1')._unsafeUnwrapErr()).toEqual({ code: 'CATEGORY_RETIRED', categoryId: 'c1' });
  });
});

describe('settings', () => {
  const size = (maxDocumentBytes: number): TenantSettingsEvent => ({ type: 'MaxDocumentSizeSet', data: { maxDocumentBytes }, actor: 'admin', at: AT });
  const year = (y: string): TenantSettingsEvent => ({ type: 'CurrentYearSet', data: { year: y }, actor: 'admin', at: AT });

  it('set a positive maximum size, and setting the same again records nothing', () => {
    settings([]).when({ type: 'ChangeSettings', ...by, maxDocumentBytes: 10 }).then([size(10)]);
    settings([]).when({ type: 'ChangeSettings', ...by, maxDocumentBytes: 1 }).then([size(1)]);
    settings([size(10)]).when({ type: 'ChangeSettings', ...by, maxDocumentBytes: 10 }).then([]);
    for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      settings([]).when({ type: 'ChangeSettings', ...by, maxDocumentBytes: bad }).thenError('INVALID_MAX_SIZE', { maxDocumentBytes: bad });
    }
  });

  it('set the current school year, both changes in one decision or neither', () => {
    settings([]).when({ type: 'ChangeSettings', ...by, maxDocumentBytes: 10, currentYear: '2027-2028' }).then([size(10), year('2027-2028')]);
    settings([]).when({ type: 'ChangeSettings', ...by, maxDocumentBytes: 10, currentYear: '2027-2029' }).thenError('INVALID_SCHOOL_YEAR', { year: '2027-2029' });
    settings([year('2027-2028')]).when({ type: 'ChangeSettings', ...by, currentYear: '2027-2028' }).then([]);
  });

  const delay = (days: number): TenantSettingsEvent => ({ type: 'ErasureDelaySet', data: { days }, actor: 'admin', at: AT });
  it('set how long after leaving people are erased: whole days from 1 to 3650, 90 until set, the same again records nothing', () => {
    settings([]).when({ type: 'ChangeSettings', ...by, erasePeopleAfterDays: 30 }).then([delay(30)]);
    settings([]).when({ type: 'ChangeSettings', ...by, erasePeopleAfterDays: 1 }).then([delay(1)]);
    settings([]).when({ type: 'ChangeSettings', ...by, erasePeopleAfterDays: 3650 }).then([delay(3650)]);
    settings([]).when({ type: 'ChangeSettings', ...by, erasePeopleAfterDays: 90 }).then([]);
    settings([delay(30)]).when({ type: 'ChangeSettings', ...by, erasePeopleAfterDays: 30 }).then([]);
    settings([delay(30)]).when({ type: 'ChangeSettings', ...by, erasePeopleAfterDays: 90 }).then([delay(90)]);
    for (const bad of [0, -1, 3651, 2.5]) settings([]).when({ type: 'ChangeSettings', ...by, erasePeopleAfterDays: bad }).thenError('INVALID_RETENTION', { days: bad });
  });

  const kept = (days: number | null): TenantSettingsEvent => ({ type: 'QuarantineRetentionSet', data: { days }, actor: 'admin', at: AT });
  it('set how long quarantined bytes are kept: whole days from 1 to 3650, or for ever (null, the default); the same again records nothing', () => {
    settings([]).when({ type: 'ChangeSettings', ...by, quarantineRetentionDays: 1 }).then([kept(1)]);
    settings([]).when({ type: 'ChangeSettings', ...by, quarantineRetentionDays: 3650 }).then([kept(3650)]);
    settings([]).when({ type: 'ChangeSettings', ...by, quarantineRetentionDays: null }).then([]);
    settings([kept(30)]).when({ type: 'ChangeSettings', ...by, quarantineRetentionDays: 30 }).then([]);
    settings([kept(30)]).when({ type: 'ChangeSettings', ...by, quarantineRetentionDays: null }).then([kept(null)]);
    for (const bad of [0, -1, 3651, 2.5]) settings([]).when({ type: 'ChangeSettings', ...by, quarantineRetentionDays: bad }).thenError('INVALID_RETENTION', { days: bad });
  });

  it('change only the notification settings given: one left undefined keeps what was set', () => {
    const night = { start: '22:00', end: '07:00' };
    const state = tenantSettingsDecider.decide(tenantSettingsDecider.initialState, { type: 'ChangeSettings', ...by, notifications: { quietHours: night } })._unsafeUnwrap().reduce(tenantSettingsDecider.evolve, tenantSettingsDecider.initialState);
    const [event] = tenantSettingsDecider.decide(state, { type: 'ChangeSettings', ...by, notifications: { email: false, quietHours: undefined } })._unsafeUnwrap();
    expect(event?.type).toBe('NotificationSettingsSet');
    expect((event?.data as { quietHours?: unknown }).quietHours).toStrictEqual(night);
    expect(Object.values(event?.data as object)).not.toContain(undefined);
  });

  const nuage = { id: 'nuage', kind: 'webdav' as const, name: 'Nuage', url: 'https://nuage.example.fr/remote.php/dav/files/{user}' };
  const cloudsSet = (clouds: (typeof nuage)[]): TenantSettingsEvent => ({ type: 'CloudsSet', data: { clouds }, actor: 'admin', at: AT });
  it('list the clouds people may link: only with a secrets key, ids unique, the same list again records nothing', () => {
    settings([]).when({ type: 'ChangeSettings', ...by, clouds: [nuage], secretsKeyConfigured: true }).then([cloudsSet([nuage])]);
    settings([]).when({ type: 'ChangeSettings', ...by, clouds: [nuage] }).thenError('INVALID_CLOUDS', { reason: 'the server has no LOCKER_SECRETS_KEY to keep credentials with' });
    settings([]).when({ type: 'ChangeSettings', ...by, clouds: [nuage, { ...nuage, name: 'Twin' }], secretsKeyConfigured: true }).thenError('INVALID_CLOUDS', { reason: 'two clouds have the same id' });
    settings([cloudsSet([nuage])]).when({ type: 'ChangeSettings', ...by, clouds: [nuage], secretsKeyConfigured: true }).then([]);
    const other = { ...nuage, id: 'other', name: 'Other' };
    settings([]).when({ type: 'ChangeSettings', ...by, clouds: [nuage, other], secretsKeyConfigured: true }).then([cloudsSet([nuage, other])]);
    // None at all needs no key; none when there were some is a change.
    settings([]).when({ type: 'ChangeSettings', ...by, clouds: [] }).then([]);
    settings([cloudsSet([nuage])]).when({ type: 'ChangeSettings', ...by, clouds: [] }).then([cloudsSet([])]);
  });
});

describe('a category’s retention', () => {
  const kept = (days: number | null): TenantSettingsEvent => ({ type: 'CategoryRetentionSet', data: { categoryId: 'c1', days }, actor: 'admin', at: AT });
  it('is whole days from 1 to 36,500, or none; set on a retired category too; the same again records nothing', () => {
    settings([created('c1', 'Minutes')]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'c1', days: 365 }).then([kept(365)]);
    settings([created('c1', 'Minutes')]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'c1', days: 1 }).then([kept(1)]);
    settings([created('c1', 'Minutes')]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'c1', days: 36_500 }).then([kept(36_500)]);
    settings([created('c1', 'Minutes'), retired('c1')]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'c1', days: 30 }).then([kept(30)]);
    settings([created('c1', 'Minutes'), kept(30)]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'c1', days: 30 }).then([]);
    settings([created('c1', 'Minutes'), kept(30)]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'c1', days: null }).then([kept(null)]);
    settings([created('c1', 'Minutes')]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'c1', days: null }).then([]);
    for (const bad of [0, -1, 36_501, 1.5]) settings([created('c1', 'Minutes')]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'c1', days: bad }).thenError('INVALID_RETENTION', { days: bad });
    settings([]).when({ type: 'SetCategoryRetention', ...by, categoryId: 'nope', days: 30 }).thenError('CATEGORY_NOT_FOUND', { categoryId: 'nope' });
    // A retention event for a category this stream does not know changes nothing.
    expect(settings([kept(30)]).state.categories.size).toBe(0);
  });
});
