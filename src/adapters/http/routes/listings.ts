import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { UseCases } from '../../../application/use-cases.js';
import { presentDocument } from '../present.js';
import { actorOf, answer } from '../reply.js';
import {
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
      { schema: { tags: ['locker'], summary: 'What was deposited for me (?removed=true: what I removed from my locker)', querystring: lockerQuery, response: { 200: pageOf(lockerItemSchema), ...errors } } },
      (req, reply) => {
        const { cursor, limit, removed, ...filter } = req.query;
        return answer(reply, uc.myLocker(actorOf(req), { ...filter, removed: removed === 'true' }, { cursor, limit }), 200, (page) => ({
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

  };
