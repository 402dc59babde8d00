import { z } from 'zod';
import { depositMetaSchema } from './schemas.js';
import { MAX_FILES_PER_DEPOSIT } from './upload.js';

/**
 * What the generated document cannot say on its own, said once here: an operationId and the
 * errors each operation can really return, the Problem schema as a component served as
 * application/problem+json, the multipart bodies of the uploads, the download's media types,
 * examples, and the servers. A test holds this table to the routes the server registers.
 */
type Operation = { readonly id: string; readonly errors: readonly number[] };

const AUTH = [401, 403];
export const OPERATIONS: Record<string, Operation> = {
  'GET /health': { id: 'health', errors: [] },
  'GET /ready': { id: 'ready', errors: [503] },
  'PUT /v1/directory': { id: 'replaceDirectory', errors: [400, ...AUTH, 409, 422, 503] },
  'GET /v1/directory': { id: 'getDirectory', errors: [...AUTH, 503] },
  'GET /v1/categories': { id: 'listCategories', errors: [400, ...AUTH, 503] },
  'POST /v1/categories': { id: 'createCategory', errors: [400, ...AUTH, 409, 422, 503] },
  'PATCH /v1/categories/{id}': { id: 'renameCategory', errors: [400, ...AUTH, 404, 409, 422, 503] },
  'DELETE /v1/categories/{id}': { id: 'retireCategory', errors: [400, ...AUTH, 404, 409, 503] },
  'GET /v1/settings': { id: 'getSettings', errors: [...AUTH, 503] },
  'PATCH /v1/settings': { id: 'updateSettings', errors: [400, ...AUTH, 409, 422, 503] },
  'POST /v1/documents': { id: 'depositDocument', errors: [400, ...AUTH, 404, 408, 409, 413, 422, 502, 503] },
  'POST /v1/documents/from-cloud': { id: 'depositFromCloud', errors: [400, ...AUTH, 404, 409, 413, 422, 502, 503] },
  'POST /v1/documents/check': { id: 'checkDeposit', errors: [400, ...AUTH, 503] },
  'GET /v1/documents/{id}': { id: 'getDocument', errors: [400, ...AUTH, 404, 503] },
  'PATCH /v1/documents/{id}': { id: 'changeDocument', errors: [400, ...AUTH, 404, 409, 410, 422, 503] },
  'DELETE /v1/documents/{id}': { id: 'deleteDocumentForAll', errors: [400, ...AUTH, 404, 409, 410, 422, 503] },
  'POST /v1/documents/{id}/recipients': { id: 'addRecipients', errors: [400, ...AUTH, 404, 409, 410, 422, 503] },
  'PUT /v1/documents/{id}/content': { id: 'uploadNewVersion', errors: [400, ...AUTH, 404, 408, 409, 410, 413, 422, 502, 503] },
  'PUT /v1/documents/{id}/content/from-cloud': { id: 'newVersionFromCloud', errors: [400, ...AUTH, 404, 409, 410, 413, 422, 502, 503] },
  'GET /v1/documents/{id}/content': { id: 'downloadContent', errors: [400, ...AUTH, 404, 409, 416, 503] },
  'POST /v1/documents/{id}/acknowledgement': { id: 'acknowledgeDocument', errors: [400, ...AUTH, 404, 409, 422, 503] },
  'POST /v1/documents/{id}/reminders': { id: 'remindRecipients', errors: [400, ...AUTH, 404, 409, 422, 429, 503] },
  'GET /v1/documents/{id}/receipts': { id: 'documentReceipts', errors: [400, ...AUTH, 404, 503] },
  'POST /v1/collections': { id: 'createCollection', errors: [400, ...AUTH, 409, 422, 503] },
  'GET /v1/collections': { id: 'listCollections', errors: [400, ...AUTH, 503] },
  'GET /v1/collections/{id}': { id: 'getCollection', errors: [400, ...AUTH, 404, 503] },
  'POST /v1/collections/{id}/publish': { id: 'publishCollection', errors: [400, ...AUTH, 404, 409, 422, 503] },
  'POST /v1/collections/{id}/close': { id: 'closeCollection', errors: [400, ...AUTH, 404, 409, 503] },
  'POST /v1/collections/{id}/reminders': { id: 'remindCollection', errors: [400, ...AUTH, 404, 409, 422, 429, 503] },
  'POST /v1/collections/{id}/submissions': { id: 'submitToCollection', errors: [400, ...AUTH, 404, 408, 409, 413, 422, 503] },
  'DELETE /v1/locker/documents/{id}': { id: 'removeFromMyLocker', errors: [400, ...AUTH, 404, 409, 503] },
  'POST /v1/locker/documents/{id}/restore': { id: 'restoreToMyLocker', errors: [400, ...AUTH, 404, 409, 503] },
  'GET /v1/locker': { id: 'myLocker', errors: [400, ...AUTH, 503] },
  'GET /v1/distribution': { id: 'myDistribution', errors: [400, ...AUTH, 503] },
  'GET /v1/notifications': { id: 'myNotifications', errors: [400, ...AUTH, 503] },
  'GET /v1/notifications/unread-count': { id: 'unreadNotificationCount', errors: [...AUTH, 503] },
  'POST /v1/notifications/read': { id: 'markNotificationsRead', errors: [400, ...AUTH, 409, 503] },
  'GET /v1/me/clouds': { id: 'myClouds', errors: [...AUTH, 503] },
  'POST /v1/me/clouds': { id: 'linkCloud', errors: [400, ...AUTH, 404, 409, 422, 502, 503] },
  'GET /v1/me/clouds/{id}/files': { id: 'browseCloud', errors: [400, ...AUTH, 404, 422, 502, 503] },
  'DELETE /v1/me/clouds/{id}': { id: 'unlinkCloud', errors: [400, ...AUTH, 404, 409, 503] },
  'GET /v1/me/preferences': { id: 'myPreferences', errors: [...AUTH, 503] },
  'PATCH /v1/me/preferences': { id: 'setMyPreferences', errors: [400, ...AUTH, 409, 503] },
  'POST /v1/erasures': { id: 'erasePerson', errors: [400, ...AUTH, 409, 503] },
  'GET /v1/erasures': { id: 'listErasures', errors: [...AUTH, 503] },
  'GET /v1/admin/outbox': { id: 'mailOutbox', errors: [400, ...AUTH, 503] },
  'GET /v1/admin/quarantine': { id: 'listQuarantine', errors: [400, ...AUTH, 503] },
  'GET /v1/admin/refused-uploads': { id: 'listRefusedUploads', errors: [400, ...AUTH, 503] },
  'POST /v1/webhooks': { id: 'registerWebhook', errors: [400, ...AUTH, 409, 422, 503] },
  'GET /v1/webhooks': { id: 'listWebhooks', errors: [...AUTH, 503] },
  'DELETE /v1/webhooks/{id}': { id: 'deleteWebhook', errors: [400, ...AUTH, 404, 409, 503] },
  'POST /v1/webhooks/{id}/test': { id: 'testWebhook', errors: [400, ...AUTH, 404, 503] },
  'GET /v1/webhooks/{id}/deliveries': { id: 'webhookDeliveries', errors: [400, ...AUTH, 404, 503] },
  'GET /v1/events/stream': { id: 'eventStream', errors: [400, ...AUTH, 503] },
  'POST /v1/rollovers': { id: 'startRollover', errors: [400, ...AUTH] },
  'GET /v1/rollovers/{id}': { id: 'getRollover', errors: [400, ...AUTH, 404] },
  'GET /v1/audit/events': { id: 'auditEvents', errors: [400, ...AUTH, 503] },
  'GET /v1/audit/documents/{id}/history': { id: 'documentHistory', errors: [400, ...AUTH, 404, 503] },
  'GET /v1/audit/lockers/{userId}': { id: 'lockerAsOf', errors: [400, ...AUTH, 503] },
  'GET /v1/audit/checkpoints': { id: 'auditCheckpoints', errors: [400, ...AUTH] },
  'POST /v1/audit/verifications': { id: 'startVerification', errors: [...AUTH] },
  'GET /v1/audit/verifications/{id}': { id: 'getVerification', errors: [400, ...AUTH, 404] },
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input',
  401: 'No token, or a bad one',
  403: 'Not allowed, or not in the directory',
  404: 'Not found, or not yours to see',
  408: 'The upload was too slow',
  409: 'A concurrent change, or an Idempotency-Key reused with another request',
  410: 'Deleted for good from the event store',
  413: "Over the tenant's size limit",
  416: 'Range not satisfiable',
  422: 'A rule refused it',
  429: 'Too soon: see Retry-After',
  502: 'The cloud service is not answering, or answered what we do not follow',
  503: 'Storage is not answering; retry later',
};

const PROBLEM = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string', format: 'uri-reference', example: 'urn:digital-locker:problem:recipients-refused' },
    title: { type: 'string', example: 'Recipients refused' },
    status: { type: 'integer', example: 422 },
    detail: { type: 'string', example: 'user leo: students have no locker' },
    code: { type: 'string', example: 'RECIPIENTS_REFUSED' },
  },
  required: ['type', 'title', 'status', 'detail'],
  additionalProperties: true,
};

const problemResponse = (status: number) => ({
  description: DESCRIPTIONS[status] ?? 'Refused',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const metaSchema = z.toJSONSchema(depositMetaSchema, { target: 'openapi-3.0', io: 'input' }) as Record<string, unknown>;
delete metaSchema.$schema;

const fileBody = (withMeta: boolean) => ({
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: withMeta ? ['meta', 'file'] : ['file'],
        // Either spelling of each part is what clients send and the server takes: `meta` as a JSON
        // part or as text holding JSON, `file` once or several times. Validators that read a part
        // as text or one part as one value (Prism) then agree with the server, and generators type
        // the part as either (hey-api sends an object as JSON text, arrays as repeated parts).
        properties: {
          ...(withMeta
            ? {
                meta: {
                  description: 'The deposit: recipients, category, title, memo (JSON). Sent before the file.',
                  oneOf: [metaSchema, { type: 'string', contentMediaType: 'application/json', description: 'the same object, as JSON text' }],
                },
              }
            : {}),
          file: withMeta
            ? {
                description: 'One or more parts named file, streamed one after the other: each becomes its own document with the same meta, all or none.',
                oneOf: [
                  { type: 'string', format: 'binary' },
                  { type: 'array', items: { type: 'string', format: 'binary' }, minItems: 1, maxItems: MAX_FILES_PER_DEPOSIT },
                ],
              }
            : { type: 'string', format: 'binary', description: 'The new version, streamed; one part named file.' },
        },
      },
      encoding: withMeta ? { meta: { contentType: 'application/json' }, file: { contentType: 'application/octet-stream' } } : { file: { contentType: 'application/octet-stream' } },
      ...(withMeta
        ? { examples: { council: { summary: 'Minutes for a teacher and a class', value: { meta: { recipients: { users: ['u-paul'], classes: ['c-4b'] }, categoryId: 'c0ffee00-0000-4000-8000-000000000001', memo: 'Please read before Monday' }, file: ['minutes.pdf (its bytes)'] } } } }
        : {}),
    },
  },
});

const EXAMPLES: Record<string, unknown> = {
  'POST /v1/categories': { designation: 'Class council minutes' },
  'POST /v1/documents/from-cloud': { recipients: { users: ['u-paul'] }, categoryId: 'c0ffee00-0000-4000-8000-000000000001', source: { cloudId: 'nuage', path: '/Documents/report.pdf' } },
  'PUT /v1/documents/{id}/content/from-cloud': { source: { cloudId: 'nuage', path: '/Documents/report.pdf' } },
  'POST /v1/documents/check': { recipients: { users: ['u-paul'], classes: ['c-4b'] }, categoryId: 'c0ffee00-0000-4000-8000-000000000001' },
  'POST /v1/documents/{id}/recipients': { users: ['u-sophie'], classes: ['c-3a'] },
  'PATCH /v1/documents/{id}': { memo: 'Corrected figures on page 2' },
  'PATCH /v1/settings': { maxDocumentBytes: 52428800, currentYear: '2026-2027' },
  'POST /v1/rollovers': { from: '2025-2026', to: '2026-2027', dryRun: true },
};

type Doc = {
  openapi: string;
  servers?: unknown;
  components?: { schemas?: Record<string, unknown> } & Record<string, unknown>;
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown>; requestBody?: { content?: Record<string, { example?: unknown; [k: string]: unknown }>; [k: string]: unknown }; [k: string]: unknown }>>;
};

/** Applied to the document @fastify/swagger generates from the routes' zod schemas. */
export const finishDocument = (doc: Doc): Doc => {
  doc.servers = [{ url: '/', description: 'the server this document was fetched from' }];
  (doc as { info?: Record<string, unknown> }).info = { ...(doc as { info?: Record<string, unknown> }).info, license: { name: 'Proprietary: the school network’s own service' } };
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem: PROBLEM } };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const key = `${method.toUpperCase()} ${path}`;
      const known = OPERATIONS[key];
      if (!known) continue;
      operation.operationId = known.id;
      const responses: Record<string, unknown> = {};
      for (const [status, response] of Object.entries(operation.responses ?? {})) if (Number(status) < 400) responses[status] = response;
      for (const status of known.errors) responses[String(status)] = problemResponse(status);
      operation.responses = responses;
      const example = EXAMPLES[key];
      if (example && operation.requestBody?.content?.['application/json']) operation.requestBody.content['application/json'].example = example;
    }
  }
  // Uploads are multipart, and only multipart: a generator then makes a client that uploads (one
  // that finds JSON beside it picks JSON). A file from a linked cloud account has its own operation.
  const deposit = doc.paths['/v1/documents']?.post;
  if (deposit) deposit.requestBody = fileBody(true);
  const upload = doc.paths['/v1/documents/{id}/content']?.put;
  if (upload) upload.requestBody = fileBody(false);
  // What webhook endpoints receive (OpenAPI 3.1 `webhooks`): one POST per event, signed.
  (doc as { webhooks?: unknown }).webhooks = {
    lockerEvent: {
      post: {
        operationId: 'lockerEvent',
        summary: 'An event of the tenant, POSTed to each registered endpoint that wants its type',
        description:
          'Signed as Standard Webhooks has it: `webhook-signature` is `v1,` + base64(HMAC-SHA256(secret bytes, `${webhook-id}.${webhook-timestamp}.${body}`)), ' +
          'the secret being the base64 after `whsec_`. Retried with exponential backoff (up to an hour apart) on any non-2xx, redirect or timeout, in order per document, ' +
          'at least once; an endpoint failing for 3 days is disabled. Reject a timestamp more than 5 minutes old.',
        parameters: [
          { in: 'header', name: 'webhook-id', required: true, schema: { type: 'string' }, description: 'the event id: the same on every retry, for deduplication' },
          { in: 'header', name: 'webhook-timestamp', required: true, schema: { type: 'integer' }, description: 'seconds since the epoch' },
          { in: 'header', name: 'webhook-signature', required: true, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PublicEvent' } } } },
        responses: { '200': { description: 'Any 2xx acknowledges the delivery' } },
      },
    },
  };
  doc.components.schemas = {
    ...doc.components.schemas,
    PublicEvent: {
      type: 'object',
      description: 'An event as other services see it: ids, types and times; never names, titles, memos or file bytes. Also the `data` of each event of GET /v1/events/stream.',
      required: ['id', 'type', 'tenant', 'at', 'actorId'],
      properties: {
        id: { type: 'string' },
        type: { type: 'string', example: 'DocumentDeposited' },
        tenant: { type: 'string' },
        at: { type: 'string', format: 'date-time' },
        actorId: { type: 'string' },
        documentId: { type: 'string' },
        collectionId: { type: 'string' },
        categoryId: { type: 'string' },
        version: { type: 'integer' },
        userIds: { type: 'array', items: { type: 'string' }, description: 'the people concerned: recipients, the person who opened, joined, left…' },
      },
    },
  };
  const download = doc.paths['/v1/documents/{id}/content']?.get;
  if (download?.responses) {
    const bytes = { '*/*': { schema: { type: 'string', format: 'binary' } } };
    const headers = {
      'Content-Disposition': { schema: { type: 'string' }, description: 'attachment, with the file name' },
      ETag: { schema: { type: 'string' }, description: 'the content’s sha256, quoted' },
      'X-Document-Version': { schema: { type: 'integer' }, description: 'the version served' },
    };
    download.responses['200'] = { description: 'The bytes of the version asked for (the latest by default); records a consultation', headers, content: bytes };
    download.responses['206'] = { description: 'The range asked for with Range: bytes=…', headers: { ...headers, 'Content-Range': { schema: { type: 'string' } } }, content: bytes };
  }
  return doc;
};
