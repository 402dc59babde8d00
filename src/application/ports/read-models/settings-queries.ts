import type { Category, CloudService, NotificationSettings } from '../../../domain/index.js';

export type TenantSettingsView = { readonly maxDocumentBytes: number | null; readonly currentYear: string | null; readonly clouds: CloudService[] };

/** A school's categories and settings. */
export interface SettingsQueries {
  categories(tenant: string): Category[];
  settings(tenant: string): TenantSettingsView;
  notificationSettings(tenant: string): NotificationSettings;
  erasePeopleAfterDays(tenant: string): number;
  /** How long quarantined bytes are kept (null: until an admin acts). */
  quarantineRetentionDays(tenant: string): number | null;
}
