import { describe, expect, it } from 'vitest';
import { isAdmin, noticesOf, type Notice } from '../../src/domain/index.js';
import { deposited } from './given.js';

// The news of a document arriving in someone's locker is kept with their having it.
const to = (kind: Notice['kind'], subject: string, audience: Notice['audience']): Notice => ({ kind, subject, audience, mailed: true, arrival: kind === 'deposited' || kind === 'recipient-added' });

describe('who hears of what', () => {
  it('a deposit tells its recipients, by mail too; a carried-over document and its refresh tell nobody', () => {
    expect(noticesOf(deposited({ recipients: ['marc', 'sophie'] }))).toEqual([to('deposited', 'doc-1', { to: 'users', userIds: ['marc', 'sophie'] })]);
    const carried = { ...deposited(), type: 'DocumentCarriedOver' };
    expect(noticesOf(carried)).toEqual([]);
    expect(noticesOf({ type: 'CarriedDocumentRefreshed', data: { documentId: 'doc-2', sourceDocumentId: 'doc-1', recipientIds: ['paul'] }, actor: 'admin' })).toEqual([]);
  });

  it('people added, or joining through a class or group, hear of it; those leaving do not', () => {
    expect(noticesOf({ type: 'RecipientAdded', data: { documentId: 'd', recipientIds: ['paul'], named: ['paul'], classes: [], groups: [] }, actor: 'anne' })).toEqual([
      to('recipient-added', 'd', { to: 'users', userIds: ['paul'] }),
    ]);
    expect(noticesOf({ type: 'RecipientJoined', data: { documentId: 'd', userId: 'sophie', via: 'class:4b' }, actor: 'sync' })).toEqual([to('recipient-added', 'd', { to: 'users', userIds: ['sophie'] })]);
    expect(noticesOf({ type: 'RecipientLeft', data: { documentId: 'd', userId: 'sophie', from: 'class:4b' }, actor: 'sync' })).toEqual([]);
  });

  it('a new version tells everyone who has it and the depositor, but never the one who uploaded it', () => {
    expect(noticesOf({ type: 'DocumentUpdated', data: { documentId: 'd', content: {} }, actor: 'marc' })).toEqual([
      to('updated', 'd', { to: 'recipients', documentId: 'd', except: 'marc' }),
      to('updated', 'd', { to: 'depositor', documentId: 'd', except: 'marc' }),
    ]);
  });

  it('asking for an acknowledgement is news; moving its date or dropping it is not; before `ask` existed, a required one asked', () => {
    const set = (data: object) => noticesOf({ type: 'AcknowledgementSet', data: { documentId: 'd', dueAt: null, ...data }, actor: 'anne' });
    expect(set({ required: true, ask: true })).toEqual([to('acknowledgement-asked', 'd', { to: 'recipients', documentId: 'd' })]);
    expect(set({ required: true })).toEqual([to('acknowledgement-asked', 'd', { to: 'recipients', documentId: 'd' })]);
    expect(set({ required: true, ask: false })).toEqual([]);
    expect(set({ required: false, ask: false })).toEqual([]);
  });

  it('reminders go to whom they name; a collection request to those it asks; a disabled webhook to the admins', () => {
    expect(noticesOf({ type: 'ReminderSent', data: { documentId: 'd', userIds: ['marc'], reason: 'due' }, actor: 'system' })).toEqual([to('reminder', 'd', { to: 'users', userIds: ['marc'] })]);
    expect(noticesOf({ type: 'CollectionPublished', data: { collectionId: 'c' }, actor: 'anne' })).toEqual([to('collection-requested', 'c', { to: 'asked', collectionId: 'c' })]);
    expect(noticesOf({ type: 'CollectionReminderSent', data: { collectionId: 'c', userIds: ['paul'] }, actor: 'anne' })).toEqual([to('collection-reminder', 'c', { to: 'users', userIds: ['paul'] })]);
    expect(noticesOf({ type: 'WebhookDisabled', data: { webhookId: 'w', reason: 'failing' }, actor: 'system:webhooks' })).toEqual([to('webhook-disabled', 'w', { to: 'admins' })]);
  });

  it('a refused infected upload tells the admins; a version quarantined, its depositor and the admins; one cleared, nobody', () => {
    expect(noticesOf({ type: 'InfectedUploadRefused', data: { uploadId: 'u', userId: 'anne', fileName: 'x', signature: 'Eicar', via: 'deposit' }, actor: 'anne' })).toEqual([to('infected-upload', 'u', { to: 'admins' })]);
    expect(noticesOf({ type: 'ContentQuarantined', data: { documentId: 'd', version: 2, signature: 'Eicar' }, actor: 'system:scanner' })).toEqual([
      to('quarantined', 'd', { to: 'depositor', documentId: 'd' }),
      to('quarantined', 'd', { to: 'admins' }),
    ]);
    expect(noticesOf({ type: 'ContentCleared', data: { documentId: 'd', version: 2 }, actor: 'system:scanner' })).toEqual([]);
  });

  it('housekeeping tells nobody', () => {
    for (const type of ['DocumentConsulted', 'EmailSent', 'WebhookProgressed', 'CollectionCreated', 'DirectorySynced', 'NotificationsRead']) {
      expect(noticesOf({ type, data: {}, actor: 'x' }), type).toEqual([]);
    }
  });

  it('admins are locker holders whose profiles grant locker.admin: never a student', () => {
    expect(isAdmin('staff', ['locker.admin'])).toBe(true);
    expect(isAdmin('teacher', ['locker.deposit', 'locker.admin'])).toBe(true);
    expect(isAdmin('student', ['locker.admin'])).toBe(false);
    expect(isAdmin('staff', ['locker.audit'])).toBe(false);
  });
});
