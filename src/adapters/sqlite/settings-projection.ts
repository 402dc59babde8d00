import type Database from 'better-sqlite3';
import { handles, type Projection } from './projection.js';

/** A school's categories and settings, and each person's own notification preferences. */
export const settingsProjection = (db: Database.Database): Projection => {
  const upsert = (column: string) => db.prepare(`INSERT INTO settings (tenant, ${column}) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET ${column} = excluded.${column}`);
  const sql = {
    categoryCreated: db.prepare('INSERT OR IGNORE INTO categories (tenant, id, designation, retired, seq) VALUES (?, ?, ?, 0, ?)'),
    categoryRetention: db.prepare('UPDATE categories SET retention_days = ? WHERE tenant = ? AND id = ?'),
    categoryRenamed: db.prepare('UPDATE categories SET designation = ? WHERE tenant = ? AND id = ?'),
    categoryRetired: db.prepare('UPDATE categories SET retired = 1 WHERE tenant = ? AND id = ?'),
    maxSize: upsert('max_document_bytes'),
    currentYear: upsert('current_year'),
    eraseDelay: upsert('erase_after_days'),
    quarantineDays: upsert('quarantine_days'),
    clouds: upsert('clouds'),
    notificationSettings: upsert('notifications'),
    preferences: db.prepare<[string, string], { prefs: string }>('SELECT prefs FROM preferences WHERE tenant = ? AND user_id = ?'),
    setPreferences: db.prepare('INSERT INTO preferences VALUES (?, ?, ?) ON CONFLICT (tenant, user_id) DO UPDATE SET prefs = excluded.prefs'),
  };
  return {
    canHandle: handles(
      'CategoryCreated',
      'CategoryRenamed',
      'CategoryRetentionSet',
      'CategoryRetired',
      'MaxDocumentSizeSet',
      'CurrentYearSet',
      'ErasureDelaySet',
      'QuarantineRetentionSet',
      'CloudsSet',
      'NotificationSettingsSet',
      'PreferencesSet',
    ),
    apply: ({ event, tenant, seq }) => {
      switch (event.type) {
        case 'CategoryCreated':
          sql.categoryCreated.run(tenant, event.data.categoryId, event.data.designation, seq);
          return;
        case 'CategoryRenamed':
          sql.categoryRenamed.run(event.data.designation, tenant, event.data.categoryId);
          return;
        case 'CategoryRetentionSet':
          sql.categoryRetention.run(event.data.days, tenant, event.data.categoryId);
          return;
        case 'CategoryRetired':
          sql.categoryRetired.run(tenant, event.data.categoryId);
          return;
        case 'MaxDocumentSizeSet':
          sql.maxSize.run(tenant, event.data.maxDocumentBytes);
          return;
        case 'CurrentYearSet':
          sql.currentYear.run(tenant, event.data.year);
          return;
        case 'ErasureDelaySet':
          sql.eraseDelay.run(tenant, event.data.days);
          return;
        case 'QuarantineRetentionSet':
          sql.quarantineDays.run(tenant, event.data.days);
          return;
        case 'CloudsSet':
          sql.clouds.run(tenant, JSON.stringify(event.data.clouds));
          return;
        case 'NotificationSettingsSet':
          sql.notificationSettings.run(tenant, JSON.stringify(event.data));
          return;
        case 'PreferencesSet': {
          // Each event says only what the person changed: merged into what they chose before.
          const { userId, ...chosen } = event.data;
          const before = sql.preferences.get(tenant, userId);
          sql.setPreferences.run(tenant, userId, JSON.stringify({ ...(before ? JSON.parse(before.prefs) : {}), ...chosen }));
          return;
        }
      }
    },
  };
};
