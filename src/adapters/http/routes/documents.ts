import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import parseRange from 'range-parser';
import type { ResultAsync } from 'neverthrow';
import type { UseCaseError } from '../../../application/errors.js';
import type { UseCases } from '../../../application/use-cases.js';
import type { Receipt } from '../../../application/ports/read-models.js';
import type { Actor } from '../../../application/deps.js';
import type { DepositsOutcome } from '../../../application/use-cases/deposit-document.js';
import { contentDisposition } from '../file-name.js';
import { httpUpload, MAX_FILES_PER_DEPOSIT, requireMultipart, type UploadLimits } from '../upload.js';
import { problem, sendProblem, toProblem } from '../problem.js';
import { presentDocument } from '../present.js';
import { actorOf, answer, badRequest } from '../reply.js';
import { cloudSourceSchema, contentQuery, depositHeaders, depositMetaSchema, documentPatchSchema, documentSchema, idParam, nextCursor, pageParams, problemSchema, receiptSchema, recipientsSchema } from '../schemas.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 408: problemSchema, 409: problemSchema, 413: problemSchema, 422: problemSchema };

/** One line per recipient; a cell that a spreadsheet would run as a formula is quoted as text. */
const receiptsCsv = (receipts: Receipt[]): string => {
  const cell = (v: string | number | null) => {
    const text = v === null ? '' : String(v);
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const header = ['userId', 'displayName', 'versionsOpened', 'firstOpenedAt', 'acknowledgedVersion', 'acknowledgedAt', 'acknowledgedCurrent', 'reminders', 'lastReminderAt'];
  const rows = receipts.map((r) => [
    r.userId,
    r.displayName,
    r.opened.map((o) => o.version).join(' '),
    r.opened[0]?.at ?? null,
    r.acknowledged?.version ?? null,
    r.acknowledged?.at ?? null,
    r.acknowledgedCurrent ? 'yes' : 'no',
    r.reminders.length,
    r.reminders[r.reminders.length - 1]?.at ?? null,
  ]);
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
};


/** The use cases these routes call, and nothing else of the application. */
export type DocumentUseCases = Pick<UseCases, 'acknowledgeDocument' | 'addRecipients' | 'changeDocument' | 'checkDeposit' | 'deleteForAll' | 'depositDocument' | 'documentReceipts' | 'downloadDocument' | 'getDocument' | 'remindRecipients' | 'removeFromLocker' | 'restoreToLocker' | 'updateContent'>;

export const documentRoutes =
  (uc: DocumentUseCases, uploads: UploadLimits): FastifyPluginAsyncZod =>
  async (app) => {
    /** A deposit's answer: one file answers its document, as always; several answer the list, in the parts' order. */
    const deposited = async (reply: FastifyReply, outcome: ResultAsync<DepositsOutcome, UseCaseError>) => {
      const stored = await outcome;
      if (stored.isErr()) return sendProblem(reply, toProblem(stored.error));
      const { documents, replayed } = stored.value;
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.code(201).header('location', `/v1/documents/${documents[0]!.id}`);
      return documents.length === 1 ? reply.send(presentDocument(documents[0]!)) : reply.send({ documents: documents.map(presentDocument) });
    };

    /** A deposit whose file comes from a linked cloud account: JSON, meta and its source. */
    const fromCloudJson = (reply: FastifyReply, actor: Actor, raw: unknown, key: string | undefined) => {
      const meta = depositMetaSchema.safeParse(raw);
      if (!meta.success) return badRequest(reply, z.prettifyError(meta.error).replace(/\n/g, ' '));
      if (!meta.data.source) return badRequest(reply, 'a JSON deposit names its source; upload a file with multipart/form-data');
      return deposited(reply, uc.depositDocument.fromCloud(actor, meta.data, meta.data.source, key));
    };

    app.post(
      '/v1/documents/from-cloud',
      {
        schema: {
          tags: ['documents'],
          summary: 'Deposit a file from one of my linked cloud accounts',
          description: 'The deposit’s meta with `source: {cloudId, path}`: the file is read from the cloud account, streamed, and stored as an upload would be.',
          body: depositMetaSchema.and(z.object({ source: cloudSourceSchema })),
          headers: depositHeaders,
          response: { 201: documentSchema, ...errors },
        },
      },
      async (req, reply) => {
        await fromCloudJson(reply, actorOf(req), req.body, req.headers['idempotency-key']);
        return reply;
      },
    );

    app.post(
      '/v1/documents',
      {
        schema: {
          tags: ['documents'],
          summary: 'Deposit a document',
          description:
            'multipart/form-data: a part `meta` (JSON `{recipients:{users?,classes?,groups?}, categoryId, title?, memo?}`) then one or more parts `file` ' +
            `(at most ${MAX_FILES_PER_DEPOSIT}). Each file becomes its own document with the same metadata, all or none; one file answers the document, ` +
            'several answer `{documents}` in their order. With an Idempotency-Key, the same request again answers the same documents; the same key with another request is a 409.',
          consumes: ['multipart/form-data'],
          headers: depositHeaders,
          response: { 201: z.union([documentSchema, z.object({ documents: z.array(documentSchema) })]), ...errors },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        // JSON, as clients written before POST /v1/documents/from-cloud send it: still served.
        if (!req.isMultipart() && /application\/json/.test(req.headers['content-type'] ?? '')) return fromCloudJson(reply, actor, req.body, req.headers['idempotency-key']);
        if (!requireMultipart(req, reply)) return reply;
        const upload = httpUpload(req, uploads, MAX_FILES_PER_DEPOSIT);
        try {
          return await deposited(reply, uc.depositDocument.upload(actor, upload, req.headers['idempotency-key']));
        } finally {
          upload.done();
        }
      },
    );

    app.post(
      '/v1/documents/check',
      {
        schema: {
          tags: ['documents'],
          summary: 'Pre-send check: who a deposit would reach and through what, who not and why, the size limit; nothing is written',
          body: depositMetaSchema,
          response: {
            200: z.object({
              recipients: z.array(z.object({ id: z.string(), displayName: z.string(), via: z.array(z.string()) })),
              refused: z.array(z.object({ kind: z.enum(['user', 'class', 'group']), id: z.string(), reason: z.enum(['unknown', 'student', 'no-teaching-team', 'no-members']) })),
              category: z.enum(['usable', 'not-found', 'retired']),
              maxDocumentBytes: z.number(),
              acceptable: z.boolean(),
            }),
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, uc.checkDeposit(actorOf(req), req.body)),
    );

    app.get(
      '/v1/documents/:id',
      { schema: { tags: ['documents'], summary: 'Document metadata', params: idParam, response: { 200: documentSchema, ...errors } } },
      (req, reply) => answer(reply, uc.getDocument(actorOf(req), req.params.id), 200, presentDocument),
    );

    app.patch(
      '/v1/documents/:id',
      { schema: { tags: ['documents'], summary: 'Change category and/or memo', params: idParam, body: documentPatchSchema, response: { 200: documentSchema, ...errors } } },
      (req, reply) => answer(reply, uc.changeDocument(actorOf(req), req.params.id, req.body), 200, presentDocument),
    );

    app.post(
      '/v1/documents/:id/recipients',
      { schema: { tags: ['documents'], summary: 'Add recipients (users and/or classes)', params: idParam, body: recipientsSchema, response: { 200: documentSchema, ...errors } } },
      (req, reply) => answer(reply, uc.addRecipients(actorOf(req), req.params.id, req.body), 200, presentDocument),
    );

    /** A new version from a linked cloud account: JSON naming its source. */
    const newVersionFromCloud = async (reply: FastifyReply, actor: Actor, id: string, raw: unknown, minor: boolean) => {
      const body = z.object({ source: cloudSourceSchema }).strict().safeParse(raw);
      if (!body.success) return badRequest(reply, z.prettifyError(body.error).replace(/\n/g, ' '));
      return answer(reply, uc.updateContent.fromCloud(actor, id, minor, body.data.source), 200, presentDocument);
    };

    app.put(
      '/v1/documents/:id/content/from-cloud',
      {
        schema: {
          tags: ['documents'],
          summary: 'A new version from one of my linked cloud accounts',
          params: idParam,
          querystring: z.object({ minor: z.enum(['true', 'false']).default('false') }).strict(),
          body: z.object({ source: cloudSourceSchema }).strict(),
          response: { 200: documentSchema, ...errors },
        },
      },
      async (req, reply) => {
        await newVersionFromCloud(reply, actorOf(req), req.params.id, req.body, req.query.minor === 'true');
        return reply;
      },
    );

    app.put(
      '/v1/documents/:id/content',
      {
        schema: {
          tags: ['documents'],
          summary: 'Upload a new version',
          description: 'multipart/form-data with one part `file`. `?minor=true`: acknowledgements of the previous version still count.',
          consumes: ['multipart/form-data'],
          params: idParam,
          querystring: z.object({ minor: z.enum(['true', 'false']).default('false') }).strict(),
          response: { 200: documentSchema, ...errors },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        // JSON, as clients written before …/content/from-cloud send it: still served.
        if (!req.isMultipart() && /application\/json/.test(req.headers['content-type'] ?? '')) return newVersionFromCloud(reply, actor, req.params.id, req.body, req.query.minor === 'true');
        if (!requireMultipart(req, reply)) return reply;
        const upload = httpUpload(req, uploads);
        try {
          return await answer(reply, uc.updateContent.upload(actor, req.params.id, req.query.minor === 'true', upload), 200, presentDocument);
        } finally {
          upload.done();
        }
      },
    );

    app.get(
      '/v1/documents/:id/content',
      {
        schema: {
          tags: ['documents'],
          summary: 'Download the content (records a consultation)',
          params: idParam,
          querystring: contentQuery,
          produces: ['application/octet-stream'],
          response: { 200: z.any(), 206: z.any(), 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 416: problemSchema },
        },
      },
      async (req, reply) => {
        const rangeHeader = req.headers.range;
        let unsatisfiable = false;
        // One range is served; a header that is malformed, or asks for several disjoint ones, gets the whole file.
        const range = (size: number) => {
          if (!rangeHeader) return undefined;
          const ranges = parseRange(size, rangeHeader, { combine: true });
          if (ranges === -1) unsatisfiable = true;
          if (!Array.isArray(ranges) || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
          return { start: ranges[0]!.start, end: ranges[0]!.end };
        };
        const result = await uc.downloadDocument(actorOf(req), req.params.id, { version: req.query.version, range, bodyless: req.method === 'HEAD' });
        if (result.isErr()) return sendProblem(reply, toProblem(result.error));
        const { content, stream, sizeBytes, range: served } = result.value;
        if (unsatisfiable) {
          stream.destroy();
          reply.header('content-range', `bytes */${sizeBytes}`);
          return sendProblem(reply, problem(416, 'RANGE_NOT_SATISFIABLE', 'Range not satisfiable', `the content has ${sizeBytes} bytes`));
        }
        reply
          .header('content-type', content.mediaType)
          .header('content-disposition', contentDisposition(content.fileName))
          .header('etag', `"${content.sha256}"`)
          .header('accept-ranges', 'bytes')
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "sandbox; default-src 'none'")
          .header('x-document-version', String(content.version));
        if (served) {
          reply.code(206).header('content-range', `bytes ${served.start}-${served.end}/${sizeBytes}`).header('content-length', String(served.end - served.start + 1));
        } else {
          reply.code(200).header('content-length', String(sizeBytes));
        }
        // A HEAD sends no body, so nobody reads the stream: the file is closed once the answer is
        // out, rather than left to the garbage collector.
        if (req.method === 'HEAD') reply.raw.once('close', () => stream.destroy());
        return reply.send(stream);
      },
    );

    app.delete(
      '/v1/documents/:id',
      { schema: { tags: ['documents'], summary: 'Delete for all recipients', params: idParam, response: { 204: z.null(), ...errors } } },
      (req, reply) => answer(reply, uc.deleteForAll(actorOf(req), req.params.id), 204, () => undefined),
    );

    app.delete(
      '/v1/locker/documents/:id',
      {
        schema: { tags: ['locker'], summary: 'Remove a document from my own locker (it stays for the others)', params: idParam, response: { 204: z.null(), ...errors } },
      },
      (req, reply) => answer(reply, uc.removeFromLocker(actorOf(req), req.params.id), 204, () => undefined),
    );

    app.post(
      '/v1/locker/documents/:id/restore',
      {
        schema: { tags: ['locker'], summary: 'Bring back a document I removed from my locker', params: idParam, response: { 204: z.null(), ...errors } },
      },
      (req, reply) => answer(reply, uc.restoreToLocker(actorOf(req), req.params.id), 204, () => undefined),
    );

    app.post(
      '/v1/documents/:id/acknowledgement',
      {
        schema: {
          tags: ['documents'],
          summary: 'Acknowledge the latest version (a recipient, once they opened it; 422 NOT_OPENED before)',
          params: idParam,
          response: { 200: z.object({ acknowledgedVersion: z.number() }), ...errors },
        },
      },
      (req, reply) => answer(reply, uc.acknowledgeDocument(actorOf(req), req.params.id)),
    );

    app.post(
      '/v1/documents/:id/reminders',
      {
        schema: {
          tags: ['documents'],
          summary: 'Remind those who have not opened (or not acknowledged) the latest version; at most once a day each (429 with Retry-After)',
          params: idParam,
          response: { 200: z.object({ reminded: z.array(z.string()) }), 429: problemSchema, ...errors },
        },
      },
      (req, reply) => answer(reply, uc.remindRecipients(actorOf(req), req.params.id)),
    );

    app.get(
      '/v1/documents/:id/receipts',
      {
        schema: {
          tags: ['documents'],
          summary: 'Per recipient: versions opened and when, version acknowledged and when, reminders (JSON, or CSV with Accept: text/csv)',
          params: idParam,
          querystring: z.object(pageParams(500, 100)).strict(),
          response: { 200: z.object({ items: z.array(receiptSchema), nextCursor }), ...errors },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        if (!/text\/csv/.test(req.headers.accept ?? '')) return answer(reply, uc.documentReceipts(actor, req.params.id, { cursor: req.query.cursor, limit: req.query.limit }));
        // The CSV is the whole list from the cursor on (an export), read a page at a time.
        const all: Receipt[] = [];
        for (let cursor = req.query.cursor; ; ) {
          const page = await uc.documentReceipts(actor, req.params.id, { cursor, limit: 500 });
          if (page.isErr()) return sendProblem(reply, toProblem(page.error));
          all.push(...page.value.items);
          if (page.value.nextCursor === null) break;
          cursor = page.value.nextCursor;
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', contentDisposition(`receipts-${req.params.id}.csv`))
          .serializer((payload: unknown) => payload as string)
          .send(receiptsCsv(all) as never);
      },
    );
  };
