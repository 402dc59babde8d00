import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UseCases } from '../../../application/use-cases.js';
import { presentEvent } from '../../shared/present-event.js';
import type { VerificationJob } from '../../../application/use-cases/verification-jobs.js';
import { sendProblem, toProblem } from '../problem.js';
import { actorOf, answer } from '../reply.js';
import { asOfQuery, asOfRequiredQuery, auditEventSchema, auditQuery, idParam, nextCursor, problemSchema } from '../schemas.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const recipientAsOf = z.object({ userId: z.string(), openedVersions: z.array(z.number()), acknowledgedVersion: z.number().nullable() });
const documentAsOf = z.object({
  documentId: z.string(),
  status: z.enum(['live', 'deleted']),
  year: z.string(),
  title: z.string(),
  categoryId: z.string(),
  depositorId: z.string(),
  version: z.number(),
  recipients: z.array(recipientAsOf),
});
const utc = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

/** The use cases these routes call, and nothing else of the application. */
export type AuditUseCases = Pick<UseCases, 'auditCheckpoints' | 'auditEvents' | 'documentHistory' | 'lockerAsOf' | 'verifications'>;

export const auditRoutes =
  (uc: AuditUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/audit/events',
      {
        schema: {
          tags: ['audit'],
          summary: "The tenant's event history in order, as stored; filters by document, actor, type, time range, school year",
          querystring: auditQuery,
          response: {
            200: z.object({
              items: z.array(auditEventSchema),
              nextCursor,
              events: z.array(auditEventSchema).describe('the same as `items`: the older name, still given'),
              next: z.string().nullable().describe('the same as `nextCursor`: the older name, still given'),
            }),
            ...errors,
          },
        },
      },
      (req, reply) => {
        const { cursor, after, limit, from, to, ...filter } = req.query;
        const position = cursor ?? after;
        return answer(reply, uc.auditEvents(actorOf(req), position === undefined ? undefined : BigInt(position), limit, { ...filter, from: utc(from), to: utc(to) }), 200, (page) => {
          const items = page.events.map(presentEvent);
          return { items, nextCursor: page.next, events: items, next: page.next };
        });
      },
    );

    app.get(
      '/v1/audit/documents/:id/history',
      {
        schema: {
          tags: ['audit'],
          summary: "A document's events, and its state (recipients, versions each had opened) as of a moment",
          params: idParam,
          querystring: asOfQuery,
          response: { 200: z.object({ events: z.array(auditEventSchema), asOf: z.string(), state: documentAsOf }), ...errors },
        },
      },
      (req, reply) =>
        answer(reply, uc.documentHistory(actorOf(req), req.params.id, utc(req.query.asOf)), 200, (h) => ({ events: h.events.map(presentEvent), asOf: h.asOf, state: h.state })),
    );

    app.get(
      '/v1/audit/lockers/:userId',
      {
        schema: {
          tags: ['audit'],
          summary: "What was in a user's locker at a moment, rebuilt from the history, with the versions they had opened",
          params: z.object({ userId: idParam.shape.id }),
          querystring: asOfRequiredQuery,
          response: { 200: z.object({ userId: z.string(), asOf: z.string(), documents: z.array(documentAsOf) }), ...errors },
        },
      },
      (req, reply) => answer(reply, uc.lockerAsOf(actorOf(req), req.params.userId, utc(req.query.asOf)!)),
    );

    app.get(
      '/v1/audit/checkpoints',
      {
        schema: {
          tags: ['audit'],
          summary: "Signed heads of the tenant's audit chain, newest first, with the public key: keep them, then `locker audit verify --checkpoint FILE`",
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
          response: {
            200: z.object({
              keyId: z.string(),
              publicKey: z.string(),
              checkpoints: z.array(z.object({ tenant: z.string(), seq: z.number(), position: z.string(), head: z.string(), at: z.string(), keyId: z.string(), signature: z.string() })),
            }),
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, uc.auditCheckpoints(actorOf(req), req.query.limit)),
    );

    app.post(
      '/v1/audit/verifications',
      {
        schema: {
          tags: ['audit'],
          summary: "Recompute the tenant's audit chain on the server, held to the notary's record and its latest signed checkpoint (runs in the background)",
          response: { 202: verificationSchema, 401: problemSchema, 403: problemSchema },
        },
      },
      async (req, reply) => {
        const started = uc.verifications.start(actorOf(req));
        if (started.isErr()) return sendProblem(reply, toProblem(started.error));
        return reply.code(202).header('location', `/v1/audit/verifications/${started.value.id}`).send(presentVerification(started.value));
      },
    );

    app.get(
      '/v1/audit/verifications/:id',
      { schema: { tags: ['audit'], summary: "A verification's progress and verdict", params: idParam, response: { 200: verificationSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema } } },
      (req, reply) => answer(reply, uc.verifications.get(actorOf(req), req.params.id), 200, presentVerification),
    );
  };

const verificationSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  startedAt: z.string(),
  progress: z.object({ eventsChecked: z.number(), total: z.number() }),
  verdict: z
    .object({
      eventsChecked: z.number(),
      broken: z.object({ id: z.string(), stream: z.string(), revision: z.number(), type: z.string(), reason: z.string() }).nullable(),
      checkpoints: z.array(z.object({ seq: z.number(), at: z.string(), verified: z.boolean(), reason: z.string().optional() })),
    })
    .nullable(),
  error: problemSchema.nullable(),
});

const presentVerification = (job: VerificationJob) => ({
  id: job.id,
  status: job.status,
  startedAt: job.startedAt,
  progress: job.progress,
  verdict: job.verdict && { ...job.verdict, checkpoints: job.verdict.checkpoints.map((c) => ({ seq: c.seq, at: c.at, verified: c.verified, ...(c.reason ? { reason: c.reason } : {}) })) },
  error: job.error && toProblem(job.error),
});
