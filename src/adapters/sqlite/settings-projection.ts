import type Database from 'better-sqlite3';
import { handles, type AnyEvent, type Projection } from './projection.js';

/** The settings that are one column each: the event that sets it, and the value it sets. */
const COLUMNS: Record<string, { readonly column: string; readonly value: (data: Record<string, unknown>) => unknown }> = {
  MaxDocumentSizeSet: { column: 'max_document_bytes', value: (d) => d['maxDocumentBytes'] },
  CurrentYearSet: { column: 'current_year', value: (d) => d['year'] },
  ErasureDelaySet: { column: 'erase_after_days', value: (d) => d['days'] },
  QuarantineRetentionSet: { column: 'quarantine_days', value: (d) => d['days'] },
  CloudsSet: { column: 'clouds', value: (d) => JSON.stringify(d['clouds']) },
  NotificationSettingsSet: { column: 'notifications', value: (d) => JSON.stringify(d) },
};

/** A school's categories and settings, and each person's own notification preferences. */
export const settingsProjection = (db: Database.Database): Projection => {
  const sql = {
    categoryCreated: db.prepare('INSERT OR IGNORE INTO categories (tenant, id, designation, retired, seq) VALUES (?, ?, ?, 0, ?)'),
    categoryRetention: db.prepare('UPDATE categories SET retention_days = ? WHERE tenant = ? AND id = ?'),
    categoryRenamed: db.prepare('UPDATE categories SET designation = ? WHERE tenant = ? AND id = ?'),
    categoryRetired: db.prepare('UPDATE categories SET retired = 1 WHERE tenant = ? AND id = ?'),
    preferences: db.prepare<[string, string], { prefs: string }>('SELECT prefs FROM preferences WHERE tenant = ? AND user_id = ?'),
    setPreferences: db.prepare('INSERT INTO preferences VALUES (?, ?, ?) ON CONFLICT (tenant, user_id) DO UPDATE SET prefs = excluded.prefs'),
  };
  const set = new Map(
    Object.entries(COLUMNS).map(([type, { column, value }]) => [
      type,
      { value, upsert: db.prepare(`INSERT INTO settings (tenant, ${column}) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET ${column} = excluded.${column}`) },
    ]),
  );
  return {
    canHandle: handles('CategoryCreated', 'CategoryRenamed', 'CategoryRetentionSet', 'CategoryRetired', 'PreferencesSet', ...(Object.keys(COLUMNS) as AnyEvent['type'][])),
    apply: ({ event, tenant, seq }) => {
      const setting = set.get(event.type);
      if (setting) return void setting.upsert.run(tenant, setting.value(event.data as Record<string, unknown>));
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
