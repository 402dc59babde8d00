import { describe, expect, it } from 'vitest';
import type { UseCaseError } from '../../src/application/errors.js';
import { toProblem } from '../../src/adapters/http/problem.js';

/**
 * The contract's statuses (README, DESIGN §5), one row per error code. The type makes the table
 * complete: a new code without a row here does not compile.
 */
const table: { [Code in UseCaseError['code']]: [Extract<UseCaseError, { code: Code }>, number] } = {
  FORBIDDEN: [{ code: 'FORBIDDEN', reason: 'r' }, 403],
  PERSON_IN_DIRECTORY: [{ code: 'PERSON_IN_DIRECTORY', userId: 'u' }, 409],
  INVALID_RETENTION: [{ code: 'INVALID_RETENTION', days: 0 }, 422],
  WEBHOOK_NOT_FOUND: [{ code: 'WEBHOOK_NOT_FOUND', webhookId: 'w' }, 404],
  INVALID_WEBHOOK: [{ code: 'INVALID_WEBHOOK', reason: 'r' }, 422],
  INVALID_CLOUDS: [{ code: 'INVALID_CLOUDS', reason: 'r' }, 422],
  CLOUD_NOT_LINKED: [{ code: 'CLOUD_NOT_LINKED', cloudId: 'nuage' }, 404],
  CLOUD_AUTH_FAILED: [{ code: 'CLOUD_AUTH_FAILED' }, 422],
  CLOUD_UNAVAILABLE: [{ code: 'CLOUD_UNAVAILABLE', reason: 'r' }, 502],
  CLOUD_NOT_FOUND: [{ code: 'CLOUD_NOT_FOUND', path: '/x' }, 404],
  CLOUD_PATH_INVALID: [{ code: 'CLOUD_PATH_INVALID', path: '/..' }, 400],
  COLLECTION_NOT_FOUND: [{ code: 'COLLECTION_NOT_FOUND', collectionId: 'c' }, 404],
  COLLECTION_CLOSED: [{ code: 'COLLECTION_CLOSED', collectionId: 'c' }, 422],
  NOT_REQUESTER: [{ code: 'NOT_REQUESTER', collectionId: 'c' }, 403],
  NOT_OPENED: [{ code: 'NOT_OPENED', documentId: 'd', version: 2 }, 422],
  ACKNOWLEDGEMENT_NOT_ASKED: [{ code: 'ACKNOWLEDGEMENT_NOT_ASKED', documentId: 'd' }, 422],
  NOT_A_RECIPIENT: [{ code: 'NOT_A_RECIPIENT', documentId: 'd' }, 422],
  INVALID_DUE_DATE: [{ code: 'INVALID_DUE_DATE', dueAt: '2020-01-01T00:00:00.000Z' }, 422],
  REMINDER_TOO_SOON: [{ code: 'REMINDER_TOO_SOON', retryAfterSeconds: 3600 }, 429],
  INVALID_PREFERENCE: [{ code: 'INVALID_PREFERENCE', field: 'notifications.timeZone', reason: 'r' }, 400],
  MAIL_LEASE_HELD: [{ code: 'MAIL_LEASE_HELD', holder: 'h', until: '2026-12-01T00:00:00.000Z' }, 409],
  NOT_FOUND: [{ code: 'NOT_FOUND', resource: 'document' }, 404],
  CONCURRENCY_CONFLICT: [{ code: 'CONCURRENCY_CONFLICT', stream: 's' }, 409],
  INVALID_INPUT: [{ code: 'INVALID_INPUT', detail: 'd' }, 400],
  TOO_MANY_FILES: [{ code: 'TOO_MANY_FILES', detail: 'd' }, 400],
  UPLOAD_TOO_SLOW: [{ code: 'UPLOAD_TOO_SLOW', detail: 'd' }, 408],
  TOO_MANY_UPLOADS: [{ code: 'TOO_MANY_UPLOADS', retryAfterSeconds: 5 }, 503],
  NOT_ALLOWED_TO_DEPOSIT: [{ code: 'NOT_ALLOWED_TO_DEPOSIT', userId: 'u' }, 403],
  RECIPIENTS_REFUSED: [{ code: 'RECIPIENTS_REFUSED', refused: [{ kind: 'user', id: 'leo', reason: 'student' }, { kind: 'user', id: 'x', reason: 'unknown' }, { kind: 'class', id: 'c', reason: 'no-teaching-team' }] }, 422],
  NO_RECIPIENTS: [{ code: 'NO_RECIPIENTS' }, 422],
  CATEGORY_NOT_FOUND: [{ code: 'CATEGORY_NOT_FOUND', categoryId: 'c' }, 422],
  CATEGORY_RETIRED: [{ code: 'CATEGORY_RETIRED', categoryId: 'c' }, 422],
  EMPTY_FILE: [{ code: 'EMPTY_FILE' }, 422],
  FILE_TOO_LARGE: [{ code: 'FILE_TOO_LARGE', maxDocumentBytes: 10 }, 413],
  TEXT_TOO_LONG: [{ code: 'TEXT_TOO_LONG', field: 'memo', max: 2000 }, 422],
  DOCUMENT_NOT_FOUND: [{ code: 'DOCUMENT_NOT_FOUND', documentId: 'd' }, 404],
  DOCUMENT_DELETED: [{ code: 'DOCUMENT_DELETED', documentId: 'd' }, 404],
  NOT_DEPOSITOR: [{ code: 'NOT_DEPOSITOR', documentId: 'd' }, 403],
  VERSION_NOT_FOUND: [{ code: 'VERSION_NOT_FOUND', documentId: 'd', version: 3 }, 404],
  ALREADY_DEPOSITED: [{ code: 'ALREADY_DEPOSITED', documentId: 'd' }, 409],
  IDEMPOTENCY_KEY_REUSED: [{ code: 'IDEMPOTENCY_KEY_REUSED', key: 'k' }, 409],
  YEAR_CLOSED: [{ code: 'YEAR_CLOSED', documentId: 'd', year: '2025-2026' }, 422],
  YEAR_NOT_OPEN: [{ code: 'YEAR_NOT_OPEN', documentId: 'd', year: '2027-2028' }, 422],
  NOT_CARRIED: [{ code: 'NOT_CARRIED', reason: 'deleted' }, 422],
  DESIGNATION_TAKEN: [{ code: 'DESIGNATION_TAKEN', designation: 'X' }, 409],
  INVALID_DESIGNATION: [{ code: 'INVALID_DESIGNATION', reason: 'r' }, 422],
  INVALID_MAX_SIZE: [{ code: 'INVALID_MAX_SIZE', maxDocumentBytes: 0 }, 422],
  INVALID_SCHOOL_YEAR: [{ code: 'INVALID_SCHOOL_YEAR', year: 'x' }, 422],
  INVALID_DIRECTORY: [{ code: 'INVALID_DIRECTORY', problems: [{ path: 'users', message: 'm' }] }, 422],
  LOCKER_CLOSED: [{ code: 'LOCKER_CLOSED', userId: 'u' }, 403],
  NOT_IN_LOCKER: [{ code: 'NOT_IN_LOCKER', documentId: 'd' }, 404],
  WRONG_EXPECTED_VERSION: [{ code: 'WRONG_EXPECTED_VERSION', stream: 's', expected: 'no-stream', actual: 0 }, 409],
  STORE_UNAVAILABLE: [{ code: 'STORE_UNAVAILABLE', message: 'm' }, 503],
  STREAM_DELETED: [{ code: 'STREAM_DELETED', stream: 's' }, 410],
  APPEND_TOO_LARGE: [{ code: 'APPEND_TOO_LARGE', message: 'the event store refuses appends over 1048576 bytes' }, 413],
  INVALID_POSITION: [{ code: 'INVALID_POSITION', position: '9' }, 400],
  BLOB_TOO_LARGE: [{ code: 'BLOB_TOO_LARGE', maxBytes: 10 }, 413],
  BLOB_NOT_FOUND: [{ code: 'BLOB_NOT_FOUND', key: 'k' }, 500],
  UPLOAD_ABORTED: [{ code: 'UPLOAD_ABORTED', message: 'm' }, 400],
  BLOB_STORE_UNAVAILABLE: [{ code: 'BLOB_STORE_UNAVAILABLE', message: 'm' }, 503],
  SCAN_PENDING: [{ code: 'SCAN_PENDING', documentId: 'd', version: 1 }, 409],
  QUARANTINED: [{ code: 'QUARANTINED', documentId: 'd', version: 1, signature: 'Eicar' }, 409],
  INFECTED: [{ code: 'INFECTED', fileName: 'a.pdf', signature: 'Eicar-Test-Signature' }, 422],
  SCANNER_UNAVAILABLE: [{ code: 'SCANNER_UNAVAILABLE', message: 'm' }, 503],
};

describe('problem.ts: every error code becomes its status', () => {
  for (const [code, [error, status]] of Object.entries(table)) {
    it(`${code} → ${status}`, () => {
      const p = toProblem(error as UseCaseError);
      expect(p.status).toBe(status);
      expect(p.type).toMatch(/^urn:digital-locker:problem:[a-z-]+$/);
      expect(p.title.length).toBeGreaterThan(0);
      expect(p.detail.length).toBeGreaterThan(0);
    });
  }

  it('names the refused recipients and why', () => {
    expect(toProblem(table.RECIPIENTS_REFUSED[0]).detail).toBe('user leo: students have no locker; user x: not in the directory; class c: no teaching team');
  });
});
