import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id } from '../../shared/directory-schema.js';
import type { UseCases } from '../../../application/use-cases.js';
import type { Category } from '../../../domain/index.js';
import { actorOf, answer } from '../reply.js';
import { categoryPatchSchema, categorySchema, designationSchema, directorySchema, idParam, nextCursor, pageParams, problemSchema, settingsPatchSchema, settingsSchema } from '../schemas.js';

const presentCategory = (c: Category) => ({ id: c.id, designation: c.designation, retired: c.retired, retention: c.retentionDays ? { days: c.retentionDays } : null });

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 422: problemSchema };

/** The use cases these routes call, and nothing else of the application. */
export type AdminUseCases = Pick<UseCases, 'createCategory' | 'erasures' | 'getSettings' | 'listCategories' | 'mailOutbox' | 'readDirectory' | 'renameCategory' | 'retireCategory' | 'scans' | 'setCategoryRetention' | 'syncDirectory' | 'updateSettings'>;

export const adminRoutes =
  (uc: AdminUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.put(
      '/v1/directory',
      {
        bodyLimit: 32 * 1024 * 1024,
        schema: {
          tags: ['admin'],
          summary: "Replace the tenant's directory; opens and closes lockers, and documents addressed to classes and groups follow it",
          body: directorySchema,
          response: {
            200: z.object({
              users: z.number(),
              classes: z.number(),
              profiles: z.number(),
              lockersOpened: z.array(z.string()),
              lockersClosed: z.array(z.string()),
              followed: z.object({ documents: z.number(), joined: z.number(), left: z.number() }).describe('documents addressed to a class or group that changed, and who joined or left their recipients'),
            }),
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, uc.syncDirectory(actorOf(req), req.body)),
    );
    app.get(
      '/v1/directory',
      {
        schema: {
          tags: ['admin'],
          summary: "The tenant's directory as last synced (admin, or a token with scope directory:write): the same shape PUT takes",
          response: { 200: directorySchema, ...errors },
        },
      },
      (req, reply) => answer(reply, uc.readDirectory(actorOf(req))),
    );

    app.get(
      '/v1/categories',
      {
        schema: {
          tags: ['categories'],
          summary: 'List categories (retired ones with ?includeRetired=true)',
          querystring: z.object({ includeRetired: z.enum(['true', 'false']).default('false') }).strict(),
          response: { 200: z.object({ items: z.array(categorySchema) }), ...errors },
        },
      },
      (req, reply) => answer(reply, uc.listCategories(actorOf(req), req.query.includeRetired === 'true'), 200, (items) => ({ items: items.map(presentCategory) })),
    );

    app.post(
      '/v1/categories',
      { schema: { tags: ['categories'], summary: 'Create a category', body: designationSchema, response: { 201: categorySchema, ...errors } } },
      (req, reply) => answer(reply, uc.createCategory(actorOf(req), req.body.designation), 201, presentCategory),
    );

    app.patch(
      '/v1/categories/:id',
      { schema: { tags: ['categories'], summary: 'Rename a category, and/or set how long its documents are kept', params: idParam, body: categoryPatchSchema, response: { 200: categorySchema, ...errors } } },
      async (req, reply) => {
        const actor = actorOf(req);
        const { designation, retention } = req.body;
        if (designation !== undefined) {
          const renamed = await uc.renameCategory(actor, req.params.id, designation);
          if (renamed.isErr() || retention === undefined) return answer(reply, renamed, 200, presentCategory);
        }
        return answer(reply, uc.setCategoryRetention(actor, req.params.id, retention?.days ?? null), 200, presentCategory);
      },
    );

    app.delete(
      '/v1/categories/:id',
      { schema: { tags: ['categories'], summary: 'Retire a category (documents keep it)', params: idParam, response: { 204: z.null(), ...errors } } },
      (req, reply) => answer(reply, uc.retireCategory(actorOf(req), req.params.id), 204, () => undefined),
    );

    app.get(
      '/v1/settings',
      { schema: { tags: ['admin'], summary: "The tenant's settings", response: { 200: settingsSchema, ...errors } } },
      (req, reply) => answer(reply, uc.getSettings(actorOf(req))),
    );

    app.patch(
      '/v1/settings',
      {
        schema: {
          tags: ['admin'],
          summary: 'Change the maximum document size, the current school year, and/or the mail defaults (e-mail on or off, quiet hours, time zone, language)',
          body: settingsPatchSchema,
          response: { 200: settingsSchema, ...errors },
        },
      },
      (req, reply) => answer(reply, uc.updateSettings(actorOf(req), req.body)),
    );

    const erasureSchema = z.object({ userId: z.string(), at: z.string(), actorId: z.string(), reason: z.string() });
    app.post(
      '/v1/erasures',
      {
        schema: {
          tags: ['admin'],
          summary: 'Erase a person’s personal data (409 while they are in the directory); the audit skeleton stays and still verifies',
          body: z.object({ userId: id }).strict(),
          response: {
            201: erasureSchema.extend({
              otherNodesWithinSeconds: z.number().int().describe('erased here at once; other app nodes may still show the fields this many seconds (their key caches)'),
            }),
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, uc.erasures.erase(actorOf(req), req.body.userId), 201),
    );
    app.get(
      '/v1/erasures',
      {
        schema: {
          tags: ['admin'],
          summary: 'Who was erased, when, by whom (or automatically, after they left), newest first',
          querystring: z.object(pageParams(500, 100)).strict(),
          response: { 200: z.object({ items: z.array(erasureSchema), nextCursor }), ...errors },
        },
      },
      (req, reply) => answer(reply, uc.erasures.list(actorOf(req), { cursor: req.query.cursor, limit: req.query.limit })),
    );

    app.get(
      '/v1/admin/outbox',
      {
        schema: {
          tags: ['admin'],
          summary: 'Mails not sent yet: pending, held for quiet hours, failed (with the last error), skipped',
          querystring: z.object({ status: z.enum(['pending', 'held', 'failed', 'skipped']).optional(), ...pageParams(500, 100) }).strict(),
          response: {
            200: z.object({
              mailEnabled: z.boolean().describe('false: no SMTP server is configured, notifications stay in the app'),
              counts: z.object({ pending: z.number(), held: z.number(), failed: z.number(), sent: z.number(), skipped: z.number() }),
              items: z.array(
                z.object({
                  mailId: z.string(),
                  userId: z.string(),
                  kind: z.string(),
                  documentId: z.string(),
                  at: z.string(),
                  status: z.string(),
                  attempts: z.number(),
                  nextAttemptAt: z.string().nullable(),
                  heldUntil: z.string().nullable(),
                  lastError: z.string().nullable(),
                }),
              ),
              nextCursor,
            }),
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, uc.mailOutbox(actorOf(req), req.query.status, { cursor: req.query.cursor, limit: req.query.limit })),
    );

    app.get(
      '/v1/admin/quarantine',
      {
        schema: {
          tags: ['admin'],
          summary: 'Stored versions found infected: nobody downloads them; their bytes are kept for the admins to inspect',
          querystring: z.object({ ...pageParams(500, 100) }).strict(),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  documentId: z.string(),
                  version: z.number(),
                  title: z.string(),
                  fileName: z.string(),
                  depositorId: z.string(),
                  signature: z.string(),
                  at: z.string().describe('when the scan found it'),
                }),
              ),
              nextCursor,
            }),
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, uc.scans.quarantine(actorOf(req), { cursor: req.query.cursor, limit: req.query.limit })),
    );

    app.get(
      '/v1/admin/refused-uploads',
      {
        schema: {
          tags: ['admin'],
          summary: 'Uploads refused as infected, newest first: who tried, which file, what it held, which way, when',
          querystring: z.object({ ...pageParams(500, 100) }).strict(),
          response: {
            200: z.object({
              items: z.array(z.object({ userId: z.string(), fileName: z.string(), signature: z.string(), via: z.enum(['deposit', 'version', 'cloud', 'submission']), at: z.string() })),
              nextCursor,
            }),
            ...errors,
          },
        },
      },
      (req, reply) => answer(reply, uc.scans.refusedUploads(actorOf(req), { cursor: req.query.cursor, limit: req.query.limit })),
    );
  };
