import type { CollectionEvent } from '../collection-request/collection.js';
import type { DocumentEvent } from '../deposited-document/events.js';
import type { UserKind } from '../shared/permissions.js';
import { hasLocker } from '../shared/permissions.js';
import type { WebhookEvent } from '../webhook/webhook.js';
import type { ScanEvent } from '../scanning/infected-upload.js';

/**
 * Who hears of something, as the read models know them when the event is projected: people named
 * by the event, or a set only the rows hold (a document's recipients now, its depositor, those a
 * collection asked, the school's admins).
 */
export type Audience =
  | { readonly to: 'users'; readonly userIds: readonly string[] }
  /** Everyone who has the document in their locker now (not those who removed it), but `except`. */
  | { readonly to: 'recipients'; readonly documentId: string; readonly except?: string }
  /** Its depositor, unless they are `except` (who did it). */
  | { readonly to: 'depositor'; readonly documentId: string; readonly except?: string }
  | { readonly to: 'asked'; readonly collectionId: string }
  | { readonly to: 'admins' };

export type NoticeKind =
  | 'deposited'
  | 'recipient-added'
  | 'updated'
  | 'reminder'
  | 'acknowledgement-asked'
  | 'collection-requested'
  | 'collection-reminder'
  | 'webhook-disabled'
  | 'infected-upload'
  | 'quarantined';

/**
 * One thing people are told in the app, about a document, a collection request or a webhook
 * (`subject`), and by e-mail when `mailed` (where the deployment sends mail and they have an
 * address: the read models' business).
 */
export type Notice = {
  readonly kind: NoticeKind;
  readonly subject: string;
  readonly audience: Audience;
  readonly mailed: boolean;
  /**
   * The news is the document arriving in the audience's lockers: the notice is one with their
   * having it, and goes when they no longer do (they removed it, left its class, it was deleted).
   */
  readonly arrival: boolean;
};

export type NotifiableEvent = DocumentEvent | CollectionEvent | WebhookEvent | ScanEvent;

const notice = (kind: NoticeKind, subject: string, audience: Audience): Notice => ({ kind, subject, audience, mailed: true, arrival: false });
const arrival = (kind: NoticeKind, subject: string, audience: Audience): Notice => ({ ...notice(kind, subject, audience), arrival: true });

/**
 * Who hears of what: the one place that says which events are news, for whom, and which are
 * mailed. Anything else (a carried-over document, which its recipients had last year; a refresh of
 * one; a consultation) tells nobody.
 */
export const noticesOf = (event: { readonly type: string; readonly data: unknown; readonly actor: string }): Notice[] => {
  const e = event as NotifiableEvent;
  switch (e.type) {
    case 'DocumentDeposited':
      return [arrival('deposited', e.data.documentId, { to: 'users', userIds: e.data.recipientIds })];
    case 'RecipientAdded':
      return [arrival('recipient-added', e.data.documentId, { to: 'users', userIds: e.data.recipientIds })];
    case 'RecipientJoined':
      return [arrival('recipient-added', e.data.documentId, { to: 'users', userIds: [e.data.userId] })];
    case 'DocumentUpdated':
      // Everyone who has it, but not the one who uploaded it; the depositor too when a recipient did.
      return [
        notice('updated', e.data.documentId, { to: 'recipients', documentId: e.data.documentId, except: e.actor }),
        notice('updated', e.data.documentId, { to: 'depositor', documentId: e.data.documentId, except: e.actor }),
      ];
    case 'AcknowledgementSet':
      // Asking is news; a due date moved is not. Before `ask` existed, a required one asked.
      return e.data.required && e.data.ask !== false ? [notice('acknowledgement-asked', e.data.documentId, { to: 'recipients', documentId: e.data.documentId })] : [];
    case 'ReminderSent':
      return [notice('reminder', e.data.documentId, { to: 'users', userIds: e.data.userIds })];
    case 'CollectionPublished':
      return [notice('collection-requested', e.data.collectionId, { to: 'asked', collectionId: e.data.collectionId })];
    case 'CollectionReminderSent':
      return [notice('collection-reminder', e.data.collectionId, { to: 'users', userIds: e.data.userIds })];
    case 'WebhookDisabled':
      return [notice('webhook-disabled', e.data.webhookId, { to: 'admins' })];
    case 'InfectedUploadRefused':
      return [notice('infected-upload', e.data.uploadId, { to: 'admins' })];
    case 'ContentQuarantined':
      // Its depositor, and the admins who decide what becomes of the bytes.
      return [notice('quarantined', e.data.documentId, { to: 'depositor', documentId: e.data.documentId }), notice('quarantined', e.data.documentId, { to: 'admins' })];
    default:
      return [];
  }
};

/** The school's admins: locker holders whose profiles grant `locker.admin`. */
export const isAdmin = (kind: UserKind, permissions: readonly string[]): boolean => hasLocker(kind) && permissions.includes('locker.admin');
