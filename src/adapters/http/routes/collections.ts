import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UseCases } from '../../../application/use-cases.js';
import { presentDocument } from '../present.js';
import { sendProblem, toProblem } from '../problem.js';
import { actorOf, answer } from '../reply.js';
import { id } from '../../shared/directory-schema.js';
import { depositHeaders, documentSchema, idParam, nextCursor, pageParams, problemSchema, recipientsSchema } from '../schemas.js';
import { httpUpload, MAX_FILES_PER_DEPOSIT, requireMultipart, type UploadLimits } from '../upload.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 408: problemSchema, 409: problemSchema, 413: problemSchema, 422: problemSchema };

const summary = z.object({
  id: z.string(),
  year: z.string(),
  requesterId: z.string(),
  title: z.string(),
  instructions: z.string().nullable(),
  categoryId: z.string(),
  dueAt: z.string(),
  status: z.enum(['draft', 'open', 'closed']),
  createdAt: z.string(),
});
const collectionSchema = summary.extend({
  people: z
    .array(
      z.object({
        userId: z.string(),
        displayName: z.string().nullable(),
        status: z.enum(['submitted', 'late', 'missing']),
        submittedAt: z.string().nullable(),
        documentIds: z.array(z.string()),
        reminders: z.number(),
      }),
    )
    .describe('for the requester, everyone asked; for an asked person, their own line'),
});

/** The use cases these routes call, and nothing else of the application. */
export type CollectionUseCases = Pick<UseCases, 'collections'>;

/** Documents to collect (DESIGN §10): a requester asks colleagues for a document by a date. */
export const collectionRoutes =
  (uc: CollectionUseCases, uploads: UploadLimits): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/collections',
      {
        schema: {
          tags: ['collections'],
          summary: 'Ask colleagues for a document by a date (a draft, or published at once: the asked are told)',
          body: z
            .object({
              title: z.string().min(1).max(200),
              instructions: z.string().max(2000).optional(),
              categoryId: id,
              recipients: recipientsSchema,
              dueAt: z.iso.datetime({ offset: true, error: 'expected an ISO date-time like 2026-12-15T17:00:00Z' }),
              draft: z.boolean().optional(),
            })
            .strict(),
          response: { 201: collectionSchema, ...errors },
        },
      },
      (req, reply) => answer(reply, uc.collections.create(actorOf(req), req.body), 201),
    );

    app.get(
      '/v1/collections',
      {
        schema: {
          tags: ['collections'],
          summary: 'The requests I made (role=requester) or was asked by (role=asked)',
          querystring: z.object({ role: z.enum(['requester', 'asked']).default('requester'), ...pageParams(100, 20) }).strict(),
          response: { 200: z.object({ items: z.array(summary), nextCursor }), ...errors },
        },
      },
      (req, reply) => answer(reply, uc.collections.list(actorOf(req), req.query.role, { cursor: req.query.cursor, limit: req.query.limit })),
    );

    app.get(
      '/v1/collections/:id',
      { schema: { tags: ['collections'], summary: 'A request, with each person’s status: submitted, late, missing', params: idParam, response: { 200: collectionSchema, ...errors } } },
      (req, reply) => answer(reply, uc.collections.get(actorOf(req), req.params.id)),
    );

    app.post(
      '/v1/collections/:id/publish',
      { schema: { tags: ['collections'], summary: 'Publish a draft: the asked are told', params: idParam, response: { 200: collectionSchema, ...errors } } },
      (req, reply) => answer(reply, uc.collections.publish(actorOf(req), req.params.id)),
    );

    app.post(
      '/v1/collections/:id/close',
      { schema: { tags: ['collections'], summary: 'Close a request: no more submissions', params: idParam, response: { 200: collectionSchema, ...errors } } },
      (req, reply) => answer(reply, uc.collections.close(actorOf(req), req.params.id)),
    );

    app.post(
      '/v1/collections/:id/reminders',
      {
        schema: {
          tags: ['collections'],
          summary: 'Remind those who have not submitted; at most once a day each (429 with Retry-After)',
          params: idParam,
          response: { 200: z.object({ reminded: z.array(z.string()) }), 429: problemSchema, ...errors },
        },
      },
      (req, reply) => answer(reply, uc.collections.remind(actorOf(req), req.params.id)),
    );

    app.post(
      '/v1/collections/:id/submissions',
      {
        schema: {
          tags: ['collections'],
          summary: 'Submit a document (an asked person): it becomes a document in the requester’s locker, linked to the request',
          description: 'multipart/form-data with one or more parts `file`, under the tenant’s size limit. After close → 422; by someone not asked → 404.',
          consumes: ['multipart/form-data'],
          params: idParam,
          headers: depositHeaders,
          response: { 201: z.object({ documents: z.array(documentSchema) }), ...errors },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        if (!requireMultipart(req, reply)) return reply;
        const upload = httpUpload(req, uploads, MAX_FILES_PER_DEPOSIT);
        try {
          const stored = await uc.collections.submission.upload(actor, req.params.id, upload, req.headers['idempotency-key']);
          if (stored.isErr()) return sendProblem(reply, toProblem(stored.error));
          return reply.code(201).send({ documents: stored.value.documents.map(presentDocument) });
        } finally {
          upload.done();
        }
      },
    );
  };
