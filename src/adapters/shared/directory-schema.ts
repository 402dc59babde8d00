import { z } from 'zod';
import { PERMISSIONS, USER_KINDS } from '../../domain/index.js';

/** Ids chosen by schools and by us: short, printable, trimmed. */
export const id = z.string().trim().min(1).max(128);

/** A tenant's directory as `PUT /v1/directory` and `locker directory import` take it. */
export const directorySchema = z
  .object({
    profiles: z.array(z.object({ id, name: z.string().trim().min(1).max(200), permissions: z.array(z.enum(PERMISSIONS)).max(10) }).strict()).max(1000),
    users: z
      .array(
        z
          .object({
            id,
            displayName: z.string().trim().min(1).max(200),
            kind: z.enum(USER_KINDS),
            email: z.email().max(320).optional(),
            profiles: z.array(id).max(50).default([]),
          })
          .strict(),
      )
      .max(100_000),
    classes: z.array(z.object({ id, name: z.string().trim().min(1).max(200), teacherIds: z.array(id).max(200) }).strict()).max(10_000),
  })
  .strict();
