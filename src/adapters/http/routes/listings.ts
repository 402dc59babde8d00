import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id } from '../../shared/directory-schema.js';
import type { UseCases } from '../../../application/use-cases.js';
import { presentDocument } from '../present.js';
import { actorOf, answer, answerShared } from '../reply.js';
import {
  distributionItemSchema,
  distributionQuery,
  lockerItemSchema,
  lockerQuery,
  notificationSchema,
  pageOf,
  idParam,
  notificationsQuery,
  preferencesPatchSchema,
  preferencesSchema,
  markReadSchema,
  problemSchema,
} from '../schemas.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema };

const lockerPage = pageOf(lockerItemSchema);

/** The use cases these routes call, and nothing else of the application. */
export type ListingUseCases = Pick<UseCases, 'clouds' | 'markNotificationsRead' | 'myDistribution' | 'myLocker' | 'myNotifications' | 'myPreferences' | 'setMyPreferences' | 'unreadNotificationCount'>;

export const listingRoutes =
  (uc: ListingUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/locker',
      {
        schema: {
          tags: ['locker'],
          summary: 'What was deposited for me (?removed=true: what I removed from my locker; ?toAcknowledge=true: what I am asked to acknowledge)',
          querystring: lockerQuery,
          response: { 200: lockerPage, ...errors },
        },
      },
      (req, reply) => {
        const { cursor, limit, removed, toAcknowledge, ...filter } = req.query;
        return answerShared(reply, uc.myLocker(actorOf(req), { ...filter, removed: removed === 'true', toAcknowledge: toAcknowledge === 'true' }, { cursor, limit }), lockerPage, (page) => ({
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

    const linkedCloud = z.object({ cloudId: z.string(), name: z.string(), kind: z.literal('webdav'), username: z.string(), linkedAt: z.string() });
    app.get(
      '/v1/me/clouds',
      { schema: { tags: ['clouds'], summary: 'My linked cloud accounts (never the password)', response: { 200: z.object({ items: z.array(linkedCloud) }), ...errors } } },
      (req, reply) => answer(reply, uc.clouds.list(actorOf(req)), 200, (items) => ({ items })),
    );

    app.post(
      '/v1/me/clouds',
      {
        schema: {
          tags: ['clouds'],
          summary: 'Link an account on one of the school’s clouds: checked at once (422 CLOUD_AUTH_FAILED, 502 when unreachable), kept encrypted',
          body: z.object({ cloudId: id, username: z.string().min(1).max(200), password: z.string().min(1).max(500) }).strict(),
          response: { 201: linkedCloud, 404: problemSchema, 422: problemSchema, 502: problemSchema, ...errors },
        },
      },
      (req, reply) => answer(reply, uc.clouds.link(actorOf(req), req.body), 201),
    );

    app.get(
      '/v1/me/clouds/:id/files',
      {
        schema: {
          tags: ['clouds'],
          summary: 'Browse a linked account: folders and files (name, size, type, modified)',
          params: idParam,
          querystring: z.object({ path: z.string().max(1024).default('/') }).strict(),
          response: {
            200: z.object({
              items: z.array(z.object({ name: z.string(), path: z.string(), type: z.enum(['folder', 'file']), size: z.number().nullable(), mediaType: z.string().nullable(), modified: z.string().nullable() })),
            }),
            404: problemSchema,
            422: problemSchema,
            502: problemSchema,
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, uc.clouds.browse(actorOf(req), req.params.id, req.query.path), 200, (items) => ({ items })),
    );

    app.delete(
      '/v1/me/clouds/:id',
      { schema: { tags: ['clouds'], summary: 'Unlink an account: its credentials are destroyed', params: idParam, response: { 204: z.null(), 404: problemSchema, ...errors } } },
      (req, reply) => answer(reply, uc.clouds.unlink(actorOf(req), req.params.id), 204, () => undefined),
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
