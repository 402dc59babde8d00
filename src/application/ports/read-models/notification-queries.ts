import type { PersonalPreferences } from '../../../domain/index.js';
import type { Page, PageRequest } from './page.js';

export type NotificationView = {
  readonly id: string;
  readonly kind: 'deposited' | 'updated' | 'recipient-added' | 'acknowledgement-asked' | 'reminder' | 'collection-requested' | 'collection-reminder' | 'webhook-disabled' | 'infected-upload' | 'quarantined';
  readonly documentId: string;
  readonly title: string;
  readonly actorId: string;
  readonly at: string;
  readonly read: boolean;
};

/** What people were told in the app, and each person's own preferences. */
export interface NotificationQueries {
  notifications(tenant: string, userId: string, page: PageRequest, filter?: { unread?: boolean | undefined }): Page<NotificationView>;
  unreadNotifications(tenant: string, userId: string): { count: number; newest: string | null };
  preferences(tenant: string, userId: string): PersonalPreferences;
}
