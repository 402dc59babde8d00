import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UseCases } from '../../../application/use-cases.js';
import type { WebhookService } from '../../../application/use-cases/webhooks.js';
import { problem, sendProblem, toProblem } from '../problem.js';
import { actorOf, answer } from '../reply.js';
import { idParam, nextCursor, pageParams, problemSchema } from '../schemas.js';

/** A live stream reads the log again after this long with no projection here: a safety net, not the way news arrives. */
const IDLE_READ_MS = 5000;
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 422: problemSchema };
const webhookSchema = z.object({ id: z.string(), url: z.string(), events: z.array(z.string()), active: z.boolean(), registeredAt: z.string() });

/** The use cases these routes call, and nothing else of the application. */
export type IntegrationUseCases = Pick<UseCases, 'eventStream'>;

/** Other services told of changes: signed webhooks and a Server-Sent Events stream. */
export const integrationRoutes =
  (uc: IntegrationUseCases, hooks: WebhookService, options: { heartbeatMs: number }): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/webhooks',
      {
        schema: {
          tags: ['integrations'],
          summary: 'Register an endpoint (admin, or scope webhooks:write): each event is POSTed to it, signed (Standard Webhooks); the secret is shown once',
          body: z
            .object({
              url: z.string().max(2000),
              events: z.array(z.string().regex(/^(\*|[A-Z][A-Za-z]+)$/, 'an event type like DocumentDeposited, or *')).min(1).max(50),
              secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'expected whsec_ and at least 24 bytes in base64').optional(),
            })
            .strict(),
          response: { 201: webhookSchema.extend({ secret: z.string() }), ...errors },
        },
      },
      (req, reply) => answer(reply, hooks.register(actorOf(req), req.body), 201),
    );
    app.get(
      '/v1/webhooks',
      { schema: { tags: ['integrations'], summary: 'The tenant’s endpoints (never their secrets)', response: { 200: z.object({ items: z.array(webhookSchema) }), ...errors } } },
      (req, reply) => answer(reply, hooks.list(actorOf(req)), 200, (items) => ({ items })),
    );
    app.delete(
      '/v1/webhooks/:id',
      { schema: { tags: ['integrations'], summary: 'Remove an endpoint and its secret', params: idParam, response: { 204: z.null(), ...errors } } },
      (req, reply) => answer(reply, hooks.remove(actorOf(req), req.params.id), 204, () => undefined),
    );
    app.post(
      '/v1/webhooks/:id/test',
      { schema: { tags: ['integrations'], summary: 'Send a signed WebhookTest now and say what the endpoint answered', params: idParam, response: { 200: z.object({ status: z.number().nullable(), error: z.string().nullable() }), ...errors } } },
      (req, reply) => answer(reply, hooks.test(actorOf(req), req.params.id)),
    );
    app.get(
      '/v1/webhooks/:id/deliveries',
      {
        schema: {
          tags: ['integrations'],
          summary: 'Recent deliveries: status, attempts, the last answer or error, the next try',
          params: idParam,
          querystring: z.object(pageParams(500, 100)).strict(),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  eventId: z.string(),
                  type: z.string(),
                  position: z.string(),
                  status: z.enum(['pending', 'delivered', 'abandoned']),
                  attempts: z.number(),
                  lastStatus: z.number().nullable(),
                  lastError: z.string().nullable(),
                  nextAttemptAt: z.string().nullable(),
                  deliveredAt: z.string().nullable(),
                }),
              ),
              nextCursor,
            }),
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, hooks.deliveries(actorOf(req), req.params.id, { cursor: req.query.cursor, limit: req.query.limit })),
    );

    app.get(
      '/v1/events/stream',
      {
        schema: {
          tags: ['integrations'],
          summary: 'The tenant’s events as Server-Sent Events (scope events:read): from Last-Event-ID, or from now; live, with heartbeats',
          headers: z.object({ 'last-event-id': z.string().regex(/^\d{1,40}$/, 'expected an event id this stream gave').optional() }),
          response: { 200: z.string().describe('text/event-stream: `id:` is the position to resume from'), ...errors },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const allowed = await uc.eventStream.allowed(actor);
        if (allowed.isErr()) return sendProblem(reply, toProblem(allowed.error));
        const given = req.headers['last-event-id'];
        const head = await uc.eventStream.head().match((h) => h, () => undefined);
        if (head === undefined) return sendProblem(reply, problem(503, 'STORE_UNAVAILABLE', 'Storage unavailable', 'the event store is not answering'));
        const start = given !== undefined ? BigInt(given) : head;
        // An id beyond the log's head was never given by this stream: a stream from it would wait for ever.
        if (start > head) return sendProblem(reply, toProblem({ code: 'INVALID_POSITION', position: String(start) }));
        // The store says whether it is a position of its own (an EventStoreDB position is not a SQLite one), before the stream opens.
        const first = await uc.eventStream.read(actor, start, 1);
        if (first.isErr() && first.error.code === 'INVALID_POSITION') return sendProblem(reply, toProblem(first.error));
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        raw.write(': connected\n\n');
        let after = start;
        let open = true;
        req.raw.on('close', () => (open = false));
        const heartbeat = setInterval(() => open && raw.write(': heartbeat\n\n'), options.heartbeatMs);
        try {
          while (open) {
            const read = await uc.eventStream.read(actor, after);
            if (read.isErr()) {
              await new Promise((r) => setTimeout(r, 1000));
              continue;
            }
            for (const { position, event } of read.value.events) raw.write(`id: ${position}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
            // Only when the log had nothing more: a batch of events other services do not see
            // (consultations, mails) moved `last` but streamed nothing, and the next may be news.
            const caughtUp = read.value.last === after;
            after = read.value.last;
            if (caughtUp) await uc.eventStream.moved(actor, after, IDLE_READ_MS);
          }
        } finally {
          clearInterval(heartbeat);
          raw.end();
        }
      },
    );
  };
