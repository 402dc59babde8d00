import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UseCases } from '../../../application/use-cases.js';
import { presentDocument, presentEvent } from '../present.js';
import { actorOf, answer } from '../reply.js';
import {
  auditEventSchema,
  auditQuery,
  distributionItemSchema,
  distributionQuery,
  lockerItemSchema,
  lockerQuery,
  notificationSchema,
  pageOf,
  pageQuery,
  problemSchema,
} from '../schemas.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema };

export const listingRoutes =
  (uc: UseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/locker',
      { schema: { tags: ['locker'], summary: 'What was deposited for me', querystring: lockerQuery, response: { 200: pageOf(lockerItemSchema), ...errors } } },
      (req, reply) => {
        const { cursor, limit, ...filter } = req.query;
        return answer(reply, uc.myLocker(actorOf(req), filter, { cursor, limit }), 200, (page) => ({
          items: page.items.map((i) => ({ ...presentDocument(i), consulted: i.consulted, consultedVersion: i.consultedVersion, consultedLatest: i.consultedLatest })),
          nextCursor: page.nextCursor,
        }));
      },
    );

    app.get(
      '/v1/distribution',
      {
        schema: {
          tags: ['distribution'],
          summary: "What I deposited, with each recipient's consultation status",
          querystring: distributionQuery,
          response: { 200: pageOf(distributionItemSchema), ...errors },
        },
      },
      (req, reply) =>
        answer(reply, uc.myDistribution(actorOf(req), req.query.year, { cursor: req.query.cursor, limit: req.query.limit }), 200, (page) => ({
          items: page.items.map((i) => ({ ...presentDocument(i), recipientStatuses: i.recipientStatuses })),
          nextCursor: page.nextCursor,
        })),
    );

    app.get(
      '/v1/notifications',
      { schema: { tags: ['locker'], summary: 'My notifications', querystring: pageQuery, response: { 200: pageOf(notificationSchema), ...errors } } },
      (req, reply) => answer(reply, uc.myNotifications(actorOf(req), req.query)),
    );

    app.get(
      '/v1/audit/events',
      {
        schema: {
          tags: ['audit'],
          summary: "The tenant's event history in order",
          querystring: auditQuery,
          response: { 200: z.object({ events: z.array(auditEventSchema), next: z.string().nullable() }), ...errors },
        },
      },
      (req, reply) =>
        answer(reply, uc.auditEvents(actorOf(req), req.query.after === undefined ? undefined : BigInt(req.query.after), req.query.limit), 200, (page) => ({
          events: page.events.map(presentEvent),
          next: page.next,
        })),
    );
  };
