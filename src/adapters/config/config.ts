import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const port = z
  .string()
  .trim()
  // An empty value is a mistake, not "any port": 0 must be asked for.
  .min(1, 'expected a port number (0 for any free port)')
  .pipe(z.coerce.number<string>({ error: 'expected a port number' }).int('expected a whole number').min(0, 'expected 0 to 65535').max(65535, 'expected 0 to 65535'));

const url = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `expected a URL like ${example}`);

export const configSchema = z
  .object({
    LOCKER_HOST: z.string().trim().min(1).default('127.0.0.1'),
    LOCKER_PORT: port.default(3000),
    LOCKER_DATA_DIR: z.string().trim().min(1).default('./data'),
    LOCKER_JWT_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, 'expected at least 32 characters'),
    LOCKER_JWT_PUBLIC_KEY: optionalText.refine((v) => v === undefined || v.includes('-----BEGIN PUBLIC KEY-----'), 'expected a PEM public key (-----BEGIN PUBLIC KEY-----)'),
    LOCKER_JWT_ISSUER: optionalText,
    LOCKER_JWT_AUDIENCE: optionalText,
    // The console signs people in with the tenant's identity provider (authorization code + PKCE).
    LOCKER_OIDC_ISSUER: optionalText.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), 'expected the identity provider\'s issuer URL, e.g. https://idp.example/realms/school'),
    LOCKER_OIDC_CLIENT_ID: optionalText,
    LOCKER_EVENT_STORE: z.enum(['sqlite', 'eventstoredb'], { error: 'expected sqlite or eventstoredb' }).default('sqlite'),
    LOCKER_EVENTSTORE_URL: optionalText.pipe(
      z
        .string()
        // What @eventstore/db-client 6.2.1 parses: esdb:// or esdb+discover://, optional credentials,
        // one host or a comma-separated list (gossip seeds), and options. `new URL` cannot read a
        // host list, and the client cannot read kurrentdb://.
        .regex(/^esdb(\+discover)?:\/\/([^@/?#\s]+@)?[^@/?#,\s]+(,[^@/?#,\s]+)*\/?(\?[^#\s]*)?$/, 'expected esdb://host:2113?tls=false or esdb+discover://es1:2113,es2:2113,es3:2113')
        .optional(),
    ),
    LOCKER_BLOB_STORE: z.enum(['fs', 's3'], { error: 'expected fs or s3' }).default('fs'),
    LOCKER_S3_ENDPOINT: optionalText.pipe(url(['http:', 'https:'], 'http://127.0.0.1:9000').optional()),
    LOCKER_S3_REGION: optionalText,
    LOCKER_S3_BUCKET: optionalText.pipe(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name').optional()),
    LOCKER_S3_ACCESS_KEY: optionalText,
    LOCKER_S3_SECRET_KEY: optionalText,
    // Data keys and credentials may live in a bucket of their own, with credentials of their own
    // (erasure needs a bucket that keeps no old versions; blobs may want versioning).
    LOCKER_S3_KEYS_BUCKET: optionalText,
    LOCKER_S3_KEYS_ACCESS_KEY: optionalText,
    LOCKER_S3_KEYS_SECRET_KEY: optionalText,
    LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: z.coerce
      .number({ error: 'expected a number of bytes' })
      .int('expected a whole number of bytes')
      .positive('expected a positive number of bytes')
      .default(52_428_800),
    LOCKER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected a pino level' }).default('info'),
    LOCKER_STORE_TIMEOUT_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(100, 'expected at least 100 ms').default(5000),
    LOCKER_UPLOAD_IDLE_TIMEOUT_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(100, 'expected at least 100 ms').default(30_000),
    // Each upload in flight holds its buffers (on S3 up to a few 8 MiB parts): past this many, 503.
    LOCKER_MAX_CONCURRENT_UPLOADS: z.coerce.number({ error: 'expected a number of uploads' }).int().min(1, 'expected at least 1').default(64),
    LOCKER_UPLOAD_MIN_BYTES_PER_SECOND: z.coerce.number({ error: 'expected bytes per second' }).int().min(0, 'expected 0 (no minimum) or more').default(1024),
    LOCKER_AUDIT_SIGNING_KEY: optionalText.refine((v) => v === undefined || v.includes('-----BEGIN PRIVATE KEY-----'), 'expected an Ed25519 private key in PEM (-----BEGIN PRIVATE KEY-----)'),
    LOCKER_NOTARY_INTERVAL_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(100, 'expected at least 100 ms').max(60_000, 'expected at most 60000 ms: checkpoints are signed at least every minute').default(60_000),
    LOCKER_SHUTDOWN_GRACE_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(0, 'expected 0 or more milliseconds').default(10_000),
    LOCKER_SMTP_URL: optionalText.pipe(url(['smtp:', 'smtps:'], 'smtp://user:pass@mail.example.org:587').optional()),
    LOCKER_MAIL_FROM: optionalText.refine((v) => v === undefined || /^[^<>]*<[^@\s<>]+@[^@\s<>]+>$|^[^@\s<>]+@[^@\s<>]+$/.test(v), 'expected an address like casier@school.fr or "Casier <casier@school.fr>"'),
    LOCKER_PUBLIC_URL: optionalText.pipe(url(['http:', 'https:'], 'https://casier.school.fr').optional()),
    LOCKER_MAIL_POLL_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(50, 'expected at least 50 ms').default(1000),
    LOCKER_MAIL_RETRY_BASE_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(10, 'expected at least 10 ms').default(30_000),
    LOCKER_MAIL_MAX_ATTEMPTS: z.coerce.number({ error: 'expected a number of attempts' }).int().min(1, 'expected at least 1').max(30, 'expected at most 30').default(8),
    /** Sent mails and delivered webhooks are kept this long in the outboxes (for the admins' views), then forgotten. */
    // Copies of the read models for nodes that start without them (ADR 51): 0 takes none. Unset:
    // hourly where blobs are on S3 (a deployment of many nodes), none on the embedded default.
    LOCKER_SNAPSHOT_EVERY_MINUTES: z.coerce.number({ error: 'expected minutes' }).int('expected whole minutes').min(0, 'expected 0 (none) or more minutes').max(7 * 24 * 60, 'expected at most a week').optional(),
    LOCKER_DELIVERY_HISTORY_DAYS: z.coerce.number({ error: 'expected days' }).int('expected whole days').min(1, 'expected at least 1 day').default(30),
    LOCKER_MAIL_MAX_AGE_HOURS: z.coerce.number({ error: 'expected hours' }).positive('expected a positive number of hours').default(72),
    LOCKER_SECRETS_KEY: optionalText.refine((v) => v === undefined || Buffer.from(v, 'base64').length === 32, 'expected 32 random bytes in base64, e.g. openssl rand -base64 32'),
    LOCKER_CLOUD_TIMEOUT_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(100, 'expected at least 100 ms').default(15_000),
    LOCKER_WEBHOOK_ALLOWED_HOSTS: optionalText.transform((v) => (v ?? '').split(',').map((h) => h.trim()).filter(Boolean)),
    LOCKER_WEBHOOK_POLL_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(50, 'expected at least 50 ms').default(1000),
    LOCKER_WEBHOOK_RETRY_BASE_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(10, 'expected at least 10 ms').default(30_000),
    LOCKER_WEBHOOK_TIMEOUT_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(100, 'expected at least 100 ms').default(10_000),
    LOCKER_SSE_HEARTBEAT_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(100, 'expected at least 100 ms').default(15_000),
    LOCKER_NODE_ID: optionalText.pipe(z.string().regex(/^[\w.:-]{1,100}$/, 'expected letters, digits, . : _ or -').optional()),
    LOCKER_SCHEDULER_INTERVAL_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(50, 'expected at least 50 ms').default(60_000),
    LOCKER_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL'], { error: 'expected FULL or NORMAL' }).default('FULL'),
    // Every file that comes in is scanned by ClamAV's daemon there; unset, nothing is scanned (issue 34).
    LOCKER_CLAMD_URL: optionalText.pipe(url(['tcp:', 'unix:'], 'tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl').optional()),
    // false: a file the scanner cannot check now is accepted, held from readers, and scanned later.
    LOCKER_SCAN_REQUIRED: z.enum(['true', 'false'], { error: 'expected true or false' }).default('true').transform((v) => v === 'true'),
    // Swagger UI at /docs is HTML from elsewhere than the console: off unless asked for (development).
    LOCKER_API_DOCS_UI: z.enum(['true', 'false'], { error: 'expected true or false' }).default('false').transform((v) => v === 'true'),
    LOCKER_SCAN_TIMEOUT_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(100, 'expected at least 100 ms').default(30_000),
    // Off by default: the thread costs resident memory (ADR 29).
    LOCKER_SQLITE_CHECKPOINT_THREAD: z.enum(['on', 'off'], { error: 'expected on or off' }).default('off'),
  })
  .superRefine((c, ctx) => {
    if (c.LOCKER_EVENT_STORE === 'eventstoredb' && !c.LOCKER_EVENTSTORE_URL) {
      ctx.addIssue({ code: 'custom', path: ['LOCKER_EVENTSTORE_URL'], message: 'required when LOCKER_EVENT_STORE=eventstoredb' });
    }
    if (c.LOCKER_SMTP_URL && !c.LOCKER_MAIL_FROM) ctx.addIssue({ code: 'custom', path: ['LOCKER_MAIL_FROM'], message: 'required when LOCKER_SMTP_URL is set' });
    if (c.LOCKER_OIDC_ISSUER && !c.LOCKER_OIDC_CLIENT_ID) ctx.addIssue({ code: 'custom', path: ['LOCKER_OIDC_CLIENT_ID'], message: 'required when LOCKER_OIDC_ISSUER is set' });
    if (c.LOCKER_BLOB_STORE === 's3') {
      for (const name of ['LOCKER_S3_ENDPOINT', 'LOCKER_S3_BUCKET', 'LOCKER_S3_ACCESS_KEY', 'LOCKER_S3_SECRET_KEY'] as const) {
        if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required when LOCKER_BLOB_STORE=s3' });
      }
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Reads the LOCKER_* variables; a bad one stops the process with one line naming it. */
export const loadConfig = (env: Record<string, string | undefined>): Config => {
  const relevant = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('LOCKER_') && v !== undefined));
  const parsed = configSchema.safeParse(relevant);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'configuration');
  const given = relevant[name];
  const shown = given === undefined ? '' : name.includes('SECRET') || name.includes('KEY') ? ' (value hidden)' : ` (got ${JSON.stringify(redactCredentials(given))})`;
  throw new ConfigError(`invalid configuration: ${name}: ${issue.message}${shown}`);
};

/** A connection string as it may be printed: the password of `scheme://user:password@host` hidden. */
export const redactCredentials = (value: string): string => value.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
