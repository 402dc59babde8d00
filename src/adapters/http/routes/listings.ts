import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
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
  notificationsQuery,
  preferencesPatchSchema,
  preferencesSchema,
  markReadSchema,
  problemSchema,
} from '../schemas.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema };

export const listingRoutes =
  (uc: UseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/locker',
      {
        schema: {
          tags: ['locker'],
          summary: 'What was deposited for me (?removed=true: what I removed from my locker; ?toAcknowledge=true: what I am asked to acknowledge)',
          querystring: lockerQuery,
          response: { 200: pageOf(lockerItemSchema), ...errors },
        },
      },
      (req, reply) => {
        const { cursor, limit, removed, toAcknowledge, ...filter } = req.query;
        return answer(reply, uc.myLocker(actorOf(req), { ...filter, removed: removed === 'true', toAcknowledge: toAcknowledge === 'true' }, { cursor, limit }), 200, (page) => ({
          items: page.items.map((i) => ({ ...presentDocument(i), consulted: i.consulted, consultedVersion: i.consultedVersion, consultedLatest: i.consultedLatest, toAcknowledge: i.toAcknowledge })),
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
      {
        schema: { tags: ['notifications'], summary: 'My notifications, newest first (?unread=true: only those not read)', querystring: notificationsQuery, response: { 200: pageOf(notificationSchema), ...errors } },
      },
      (req, reply) => {
        const { cursor, limit, unread } = req.query;
        return answer(reply, uc.myNotifications(actorOf(req), { cursor, limit }, { unread: unread === 'true' }));
      },
    );

    app.get(
      '/v1/me/preferences',
      { schema: { tags: ['notifications'], summary: 'My mail preferences, and what applies to me with the school’s defaults', response: { 200: preferencesSchema, ...errors } } },
      (req, reply) => answer(reply, uc.myPreferences(actorOf(req))),
    );

    app.patch(
      '/v1/me/preferences',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Choose whether I get mails, and my quiet hours (null: none; absent: the school’s)',
          body: preferencesPatchSchema,
          response: { 200: preferencesSchema, ...errors },
        },
      },
      (req, reply) => answer(reply, uc.setMyPreferences(actorOf(req), req.body)),
    );

    app.get(
      '/v1/notifications/unread-count',
      { schema: { tags: ['notifications'], summary: 'How many of my notifications are unread', response: { 200: z.object({ unread: z.number() }), ...errors } } },
      (req, reply) => answer(reply, uc.unreadNotificationCount(actorOf(req))),
    );

    app.post(
      '/v1/notifications/read',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Mark notifications read: {ids} or {all: true} (all there are now)',
          body: markReadSchema,
          response: { 200: z.object({ unread: z.number() }), ...errors },
        },
      },
      (req, reply) => answer(reply, uc.markNotificationsRead(actorOf(req), req.body)),
    );

  };
