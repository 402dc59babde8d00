import { z } from 'zod';
import { decodeCursor } from '../../application/cursor.js';
import { GROUPS, isTimeZone, LOCALES } from '../../domain/index.js';
import { id } from '../shared/directory-schema.js';

export { directorySchema } from '../shared/directory-schema.js';

export const schoolYear = z.string().regex(/^\d{4}-\d{4}$/, 'expected a school year like 2026-2027');

export const idParam = z.object({ id });

export const recipientsSchema = z
  .object({
    users: z.array(id).max(1000).default([]),
    classes: z.array(id).max(200).default([]),
    // Followed as the directory changes: whoever is of that kind now and later.
    groups: z.array(z.enum(GROUPS)).max(GROUPS.length).default([]),
  })
  .strict();

export const cloudSourceSchema = z
  .object({ cloudId: id, path: z.string().min(1).max(1024) })
  .strict()
  .describe('deposit a file from one of your linked cloud accounts instead of uploading one');

export const acknowledgementSchema = z
  .object({ required: z.boolean(), dueAt: z.iso.datetime({ offset: true, error: 'expected an ISO date-time like 2026-12-15T17:00:00Z' }).optional() })
  .strict()
  .describe('recipients are asked to acknowledge the document, by a date or not');

export const depositMetaSchema = z
  .object({
    recipients: recipientsSchema,
    categoryId: id,
    title: z.string().max(200).optional(),
    memo: z.string().max(2000).optional(),
    recipientsMayEdit: z.boolean().optional(),
    acknowledgement: acknowledgementSchema.optional(),
    source: cloudSourceSchema.optional(),
  })
  .strict();

export const documentPatchSchema = z
  .object({
    categoryId: id.optional(),
    memo: z.string().max(2000).nullable().optional(),
    recipientsMayEdit: z.boolean().optional(),
    acknowledgement: acknowledgementSchema.optional(),
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'give categoryId, memo, recipientsMayEdit or acknowledgement');

export const designationSchema = z.object({ designation: z.string().max(100) }).strict();
export const categoryPatchSchema = z
  .object({
    designation: z.string().max(100).optional(),
    retention: z.object({ days: z.number().int().min(1).max(36_500) }).strict().nullable().optional().describe('documents expire this many days after their deposit; null keeps them'),
  })
  .strict()
  .refine((p) => p.designation !== undefined || p.retention !== undefined, 'give designation or retention');
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time like 22:00 (00:00 to 23:59)');
export const quietHoursSchema = z
  .object({ start: clockTime, end: clockTime })
  .strict()
  .refine((q) => q.start !== q.end, 'start and end are the same time')
  .describe('a daily window when mails wait, in the tenant’s time zone; start after end crosses midnight');
export const notificationSettingsSchema = z.object({
  email: z.boolean().describe('mails are sent (when the server has SMTP configured)'),
  quietHours: quietHoursSchema.nullable(),
  timeZone: z.string(),
  locale: z.enum(LOCALES),
});

export const cloudServiceSchema = z
  .object({
    id,
    kind: z.literal('webdav'),
    name: z.string().min(1).max(100),
    url: z
      .string()
      .max(500)
      .refine((v) => {
        try {
          return ['http:', 'https:'].includes(new URL(v.replace('{user}', 'user')).protocol);
        } catch {
          return false;
        }
      }, 'expected an http(s) URL, which may hold {user}'),
  })
  .strict();

export const settingsPatchSchema = z
  .object({
    clouds: z.array(cloudServiceSchema).max(10).optional(),
    erasePeopleAfterDays: z.number().int().min(1).max(3650).optional().describe('personal data of people who left the directory is erased this many days later (90 by default)'),
    quarantineRetentionDays: z.number().int().min(1).max(3650).nullable().optional().describe('the bytes of a version found infected are deleted this many days after (null, the default: kept until an admin acts)'),
    maxDocumentBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    currentYear: schoolYear.optional(),
    notifications: z
      .object({
        email: z.boolean().optional(),
        quietHours: quietHoursSchema.nullable().optional(),
        timeZone: z.string().max(64).refine(isTimeZone, 'expected an IANA time zone like Europe/Paris').optional(),
        locale: z.enum(LOCALES, { error: 'expected fr or en' }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const preferencesPatchSchema = z
  .object({ email: z.boolean().optional(), quietHours: quietHoursSchema.nullable().optional() })
  .strict()
  .refine((p) => p.email !== undefined || p.quietHours !== undefined, 'give email or quietHours');
export const preferencesSchema = z.object({
  own: z.object({ email: z.boolean().optional(), quietHours: quietHoursSchema.nullable().optional() }).describe('what you chose; the rest follows the school'),
  effective: notificationSettingsSchema,
});

const cursor = z
  .string()
  .max(200)
  .refine((c) => decodeCursor(c) !== undefined, 'not a cursor this service gave out');
const limit = z.coerce.number().int().min(1).max(100).default(20);

export const pageQuery = z.object({ cursor: cursor.optional(), limit }).strict();
/** One pagination shape everywhere (issue 32): `cursor` and `limit` in, `{ items, nextCursor }` out. */
export const pageParams = (max: number, fallback: number) => ({ cursor: cursor.optional(), limit: z.coerce.number().int().min(1).max(max).default(fallback) });
export const nextCursor = z.string().nullable().describe('give it as `cursor` for the next page; null on the last');
export const lockerQuery = z
  .object({
    cursor: cursor.optional(),
    limit,
    categoryId: id.optional(),
    year: schoolYear.optional(),
    removed: z.enum(['true', 'false']).optional(),
    toAcknowledge: z.enum(['true', 'false']).optional(),
  })
  .strict();
export const distributionQuery = z.object({ cursor: cursor.optional(), limit, year: schoolYear.optional() }).strict();
export const contentQuery = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();
const instant = z.iso.datetime({ offset: true, error: 'expected an ISO-8601 time, e.g. 2026-09-01T08:00:00Z' });
export const auditQuery = z
  .object({
    cursor: z.string().regex(/^\d{1,40}$/, 'expected a cursor this service gave out (nextCursor)').optional(),
    after: z.string().regex(/^\d{1,40}$/, 'expected a position').optional().describe('the older name of `cursor`, still accepted'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    documentId: id.optional(),
    actor: id.optional(),
    type: z.string().regex(/^[A-Za-z]{1,64}$/, 'expected an event type').optional(),
    // A date alone is that day's midnight UTC, as `locker audit export --from` takes it.
    from: z.union([z.iso.date(), instant], { error: 'expected a date or an ISO-8601 time, e.g. 2026-09-01 or 2026-09-01T08:00:00Z' }).optional(),
    to: z.union([z.iso.date(), instant], { error: 'expected a date or an ISO-8601 time, e.g. 2026-09-01 or 2026-09-01T08:00:00Z' }).optional(),
    year: schoolYear.optional(),
  })
  .strict();
export const asOfQuery = z.object({ asOf: instant.optional() }).strict();
export const asOfRequiredQuery = z.object({ asOf: instant }).strict();
export const depositHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
});

export const problemSchema = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() }).loose();

export const documentSchema = z.object({
  id: z.string(),
  year: z.string(),
  title: z.string(),
  fileName: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  version: z.number(),
  categoryId: z.string(),
  memo: z.string().nullable(),
  depositorId: z.string(),
  recipients: z.array(z.string()),
  recipientsMayEdit: z.boolean(),
  acknowledgement: z.object({ required: z.boolean(), dueAt: z.string().nullable() }),
  depositedAt: z.string(),
  updatedAt: z.string(),
});

export const recipientStatusSchema = z.object({
  userId: z.string(),
  displayName: z.string().nullable(),
  addedAt: z.string(),
  consultations: z.array(z.object({ version: z.number(), at: z.string() })),
  consultedLatest: z.boolean(),
  removedFromLocker: z.boolean(),
  acknowledged: z.object({ version: z.number(), at: z.string() }).nullable(),
});

export const receiptSchema = z.object({
  userId: z.string(),
  displayName: z.string().nullable(),
  opened: z.array(z.object({ version: z.number(), at: z.string() })),
  acknowledged: z.object({ version: z.number(), at: z.string() }).nullable(),
  acknowledgedCurrent: z.boolean().describe('what they acknowledged is what is asked now (the latest version, minor ones aside)'),
  reminders: z.array(z.object({ at: z.string(), reason: z.string() })),
});

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const lockerItemSchema = documentSchema.extend({
  consulted: z.boolean(),
  consultedVersion: z.number().nullable(),
  consultedLatest: z.boolean(),
  toAcknowledge: z.boolean().describe('asked to acknowledge, and not done yet for the latest version'),
});
export const distributionItemSchema = documentSchema.extend({ recipientStatuses: z.array(recipientStatusSchema) });
export const notificationSchema = z.object({
  id: z.string(),
  kind: z
    .enum(['deposited', 'updated', 'recipient-added', 'acknowledgement-asked', 'reminder', 'collection-requested', 'collection-reminder', 'webhook-disabled', 'infected-upload', 'quarantined'])
    .describe('for collection-requested and collection-reminder, documentId is the collection request; for webhook-disabled (admins), the webhook; for infected-upload (admins), the refused upload, titled by what it held; for quarantined (depositor and admins), the document found infected'),
  documentId: z.string(),
  title: z.string(),
  actorId: z.string(),
  at: z.string(),
  read: z.boolean(),
});
export const notificationsQuery = z.object({ cursor: cursor.optional(), limit, unread: z.enum(['true', 'false']).optional() }).strict();
export const markReadSchema = z
  .object({ ids: z.array(z.string().regex(/^\d{1,15}$/, 'expected a notification id')).max(1000).optional(), all: z.literal(true).optional() })
  .strict()
  .refine((b) => (b.ids !== undefined) !== (b.all !== undefined), 'give ids, or all: true');
export const categorySchema = z.object({ id: z.string(), designation: z.string(), retired: z.boolean(), retention: z.object({ days: z.number() }).nullable() });
export const settingsSchema = z.object({ maxDocumentBytes: z.number(), currentYear: z.string(), notifications: notificationSettingsSchema, clouds: z.array(cloudServiceSchema), erasePeopleAfterDays: z.number(), quarantineRetentionDays: z.number().nullable() });
export const auditEventSchema = z.object({
  position: z.string(),
  id: z.string(),
  stream: z.string(),
  revision: z.number(),
  type: z.string(),
  data: z.unknown(),
  actor: z.string(),
  at: z.string(),
  tenant: z.string(),
  schemaVersion: z.number(),
  prevHash: z.string(),
  hash: z.string(),
});
