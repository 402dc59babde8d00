import type { FastifyReply } from 'fastify';
import type { UseCaseError } from '../../application/errors.js';

export type Problem = { type: string; title: string; status: number; detail: string; [extension: string]: unknown };

const typeOf = (code: string) => `urn:digital-locker:problem:${code.toLowerCase().replace(/_/g, '-')}`;

export const problem = (status: number, code: string, title: string, detail: string, extensions: Record<string, unknown> = {}): Problem => ({
  type: typeOf(code),
  title,
  status,
  detail,
  code,
  ...extensions,
});

const REFUSAL_REASONS = { student: 'students have no locker', unknown: 'not in the directory', 'no-teaching-team': 'no teaching team', 'no-members': 'nobody in it' } as const;

/** The one place where error codes become HTTP statuses. */
export const toProblem = (e: UseCaseError): Problem => {
  switch (e.code) {
    case 'FORBIDDEN':
      return problem(403, e.code, 'Forbidden', e.reason);
    case 'PERSON_IN_DIRECTORY':
      return problem(409, e.code, 'Still in the directory', `${e.userId} still has an account: remove them from the directory first`, { userId: e.userId });
    case 'INVALID_RETENTION':
      return problem(422, e.code, 'Invalid retention', `a retention is 1 to 36500 days, not ${e.days}`, { days: e.days });
    case 'WEBHOOK_NOT_FOUND':
      return problem(404, 'NOT_FOUND', 'Not found', 'no such webhook');
    case 'INVALID_WEBHOOK':
      return problem(422, e.code, 'Invalid webhook', e.reason);
    case 'INVALID_CLOUDS':
      return problem(422, e.code, 'Invalid clouds', e.reason);
    case 'CLOUD_NOT_LINKED':
      return problem(404, 'NOT_FOUND', 'Not found', `no linked cloud account ${e.cloudId}`);
    case 'CLOUD_AUTH_FAILED':
      return problem(422, e.code, 'Cloud refused the credentials', 'the cloud service refused this user name and password (use an app password)');
    case 'CLOUD_UNAVAILABLE':
      return problem(502, e.code, 'Cloud unavailable', e.reason);
    case 'CLOUD_NOT_FOUND':
      return problem(404, e.code, 'Not found in the cloud', `nothing at ${e.path} in your cloud account`);
    case 'CLOUD_PATH_INVALID':
      return problem(400, e.code, 'Invalid path', 'a path in your cloud account is absolute, without . or .. segments, and names a file where a file is expected');
    case 'COLLECTION_NOT_FOUND':
      return problem(404, 'NOT_FOUND', 'Not found', 'no such collection request');
    case 'COLLECTION_CLOSED':
      return problem(422, e.code, 'Collection closed', 'this collection request takes no more submissions');
    case 'NOT_REQUESTER':
      return problem(403, e.code, 'Not the requester', 'only the requester manages a collection request');
    case 'NOT_OPENED':
      return problem(422, e.code, 'Not opened', `open version ${e.version} before acknowledging it`, { version: e.version });
    case 'ACKNOWLEDGEMENT_NOT_ASKED':
      return problem(422, e.code, 'No acknowledgement asked', 'the depositor did not ask for an acknowledgement of this document');
    case 'NOT_A_RECIPIENT':
      return problem(422, e.code, 'Not a recipient', 'only recipients acknowledge a document');
    case 'INVALID_DUE_DATE':
      return problem(422, e.code, 'Invalid due date', `the due date ${e.dueAt} is not in the future`, { dueAt: e.dueAt });
    case 'REMINDER_TOO_SOON':
      return problem(429, e.code, 'Reminded recently', `everyone still to remind was reminded less than a day ago; retry in ${e.retryAfterSeconds} s`, { retryAfterSeconds: e.retryAfterSeconds });
    case 'INVALID_PREFERENCE':
      return problem(400, e.code, 'Invalid preference', `${e.field}: ${e.reason}`, { field: e.field });
    case 'MAIL_LEASE_HELD':
      return problem(409, e.code, 'Mail lease held', `another node sends this tenant's mails until ${e.until}`);
    case 'NOT_ALLOWED_TO_DEPOSIT':
      return problem(403, e.code, 'Not allowed to deposit', 'your authorization profiles do not grant locker.deposit');
    case 'NOT_DEPOSITOR':
      return problem(403, e.code, 'Not the depositor', 'only the depositor manages a document');
    case 'LOCKER_CLOSED':
      return problem(403, e.code, 'No locker', 'you have no open locker');
    case 'NOT_FOUND':
      return problem(404, e.code, 'Not found', `no such ${e.resource}`);
    case 'DOCUMENT_NOT_FOUND':
    case 'DOCUMENT_DELETED':
    case 'NOT_IN_LOCKER':
      return problem(404, 'NOT_FOUND', 'Not found', 'no such document');
    case 'VERSION_NOT_FOUND':
      return problem(404, e.code, 'Version not found', `the document has no version ${e.version}`, { version: e.version });
    case 'CATEGORY_NOT_FOUND':
      return problem(422, e.code, 'Unknown category', `no category ${e.categoryId}`, { categoryId: e.categoryId });
    case 'CATEGORY_RETIRED':
      return problem(422, e.code, 'Retired category', `category ${e.categoryId} is retired`, { categoryId: e.categoryId });
    case 'RECIPIENTS_REFUSED':
      return problem(
        422,
        e.code,
        'Recipients refused',
        e.refused.map((r) => `${r.kind} ${r.id}: ${REFUSAL_REASONS[r.reason]}`).join('; '),
        { refused: e.refused },
      );
    case 'NO_RECIPIENTS':
      return problem(422, e.code, 'No recipients', 'choose at least one user or class other than yourself');
    case 'EMPTY_FILE':
      return problem(422, e.code, 'Empty file', 'the file is empty');
    case 'TEXT_TOO_LONG':
      return problem(422, e.code, 'Text too long', `${e.field} is longer than ${e.max} characters`, { field: e.field, max: e.max });
    case 'INVALID_DIRECTORY':
      return problem(422, e.code, 'Invalid directory', e.problems.map((p) => `${p.path}: ${p.message}`).join('; '), { problems: e.problems });
    case 'DESIGNATION_TAKEN':
      return problem(409, e.code, 'Designation taken', `a category is already called ${e.designation} (case and accents aside)`, { designation: e.designation });
    case 'INVALID_DESIGNATION':
      return problem(422, e.code, 'Invalid designation', e.reason);
    case 'YEAR_CLOSED':
      return problem(422, e.code, 'School year closed', `the document belongs to ${e.year}, which is closed: it is read-only`, { year: e.year });
    case 'YEAR_NOT_OPEN':
      return problem(422, e.code, 'School year not open yet', `the document belongs to ${e.year}, which is not open yet: it is read-only until an admin makes it the current year`, { year: e.year });
    case 'NOT_CARRIED':
      return problem(422, e.code, 'Not carried over', `the document is not carried over: ${e.reason}`, { reason: e.reason });
    case 'INVALID_SCHOOL_YEAR':
      return problem(422, e.code, 'Invalid school year', `${e.year} is not a school year like 2026-2027`);
    case 'INVALID_MAX_SIZE':
      return problem(422, e.code, 'Invalid maximum size', 'the maximum document size is a positive whole number of bytes');
    case 'FILE_TOO_LARGE':
      return problem(413, e.code, 'File too large', `the limit is ${e.maxDocumentBytes} bytes`, { maxDocumentBytes: e.maxDocumentBytes });
    case 'BLOB_TOO_LARGE':
      return problem(413, 'FILE_TOO_LARGE', 'File too large', `the limit is ${e.maxBytes} bytes`, { maxDocumentBytes: e.maxBytes });
    case 'ALREADY_DEPOSITED':
    case 'CONCURRENCY_CONFLICT':
    case 'WRONG_EXPECTED_VERSION':
      return problem(409, 'CONCURRENCY_CONFLICT', 'Conflict', 'the resource changed concurrently; retry');
    case 'IDEMPOTENCY_KEY_REUSED':
      return problem(409, e.code, 'Idempotency key reused', 'this Idempotency-Key was used with another request');
    case 'TOO_MANY_FILES':
      return problem(400, e.code, 'Too many files', e.detail);
    case 'TOO_MANY_UPLOADS':
      return problem(503, e.code, 'Busy with other uploads', `this server takes no more uploads at once; retry in ${e.retryAfterSeconds} s`, { retryAfterSeconds: e.retryAfterSeconds });
    case 'UPLOAD_TOO_SLOW':
      return problem(408, e.code, 'Upload too slow', e.detail);
    case 'APPEND_TOO_LARGE':
      return problem(413, e.code, 'Too large for the event store', `${e.message}: the same request will not fit later either`);
    case 'STREAM_DELETED':
      return problem(410, e.code, 'Gone', 'this resource was deleted for good from the event store');
    case 'INVALID_POSITION':
      return problem(400, e.code, 'Invalid cursor', `${e.position} is not a position of this event log`, { position: e.position });
    case 'INVALID_INPUT':
      return problem(400, e.code, 'Bad request', e.detail);
    case 'UPLOAD_ABORTED':
      return problem(400, e.code, 'Upload aborted', `the upload ended before the file was complete: ${e.message}`);
    case 'BLOB_NOT_FOUND':
      return problem(500, e.code, 'Content missing', 'the stored content of this document is missing');
    case 'SCAN_PENDING':
      return problem(409, e.code, 'Not scanned yet', `version ${e.version} is held until the virus scanner has checked it; retry later`, { documentId: e.documentId, version: e.version, retryAfterSeconds: 60 });
    case 'QUARANTINED':
      return problem(409, e.code, 'Quarantined', `version ${e.version} was found infected (${e.signature}): nobody may download it`, { documentId: e.documentId, version: e.version, signature: e.signature });
    case 'INFECTED':
      return problem(422, e.code, 'Infected file', `${e.fileName} holds ${e.signature}: nothing was kept`, { fileName: e.fileName, signature: e.signature });
    case 'SCANNER_UNAVAILABLE':
      // Never read as clean: the file is refused, and may be sent again once the scanner answers.
      return problem(503, e.code, 'Virus scanner unavailable', 'files cannot be checked for viruses now; nothing was kept; retry later', { retryAfterSeconds: 30 });
    case 'STORE_UNAVAILABLE':
    case 'BLOB_STORE_UNAVAILABLE':
      return problem(503, e.code, 'Service unavailable', 'storage is not answering; retry later');
  }
};

/** The problem code a reply was sent with, for the access log line of a refusal. */
const codes = new WeakMap<FastifyReply, string>();
export const problemCodeOf = (reply: FastifyReply): string | undefined => codes.get(reply);

export const sendProblem = (reply: FastifyReply, p: Problem): FastifyReply => {
  codes.set(reply, String(p.code));
  // A 429 or 503 that knows when to come back says so in the header clients and proxies read.
  if (typeof p.retryAfterSeconds === 'number') reply.header('retry-after', String(p.retryAfterSeconds));
  return reply.code(p.status).type('application/problem+json').send(p);
};
