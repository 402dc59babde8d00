import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/adapters/config/config.js';
import type { Actor } from '../../src/application/deps.js';
import type { IncomingFile } from '../../src/application/incoming-file.js';
import { randomBytes } from 'node:crypto';
import type { Directory } from '../../src/domain/index.js';
import { compose, TOKENS, type Overrides } from '../../src/composition/compose.js';
import { schoolDirectory } from './fixtures.js';

export type EmbeddedApp = Awaited<ReturnType<typeof compose>> & { readonly dir: string; readonly stop: () => Promise<void> };

/** Someone of a tenant, as the use cases take them. */
export const as = (userId: string, tenant = 'school', scopes: string[] = []): Actor => ({ tenant, userId, scopes });

/** A file of a few bytes, as an upload hands it over (`truncated` as the multipart parser would say). */
export const textFile = (text: string, truncated = false, fileName = 'f.txt'): IncomingFile => ({
  fileName,
  mediaType: 'text/plain',
  content: (async function* () {
    yield new TextEncoder().encode(text);
  })(),
  truncated: () => truncated,
});

/**
 * The whole product on the embedded adapters in a folder of its own, with the school's directory
 * synced into each tenant asked for: what the application-layer tests start from.
 */
export const embeddedApp = async (options: { env?: Record<string, string>; tenants?: string[]; overrides?: Overrides } = {}): Promise<EmbeddedApp> => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-app-'));
  const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', ...options.env }), options.overrides);
  for (const tenant of options.tenants ?? ['school']) (await app.useCases.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap();
  return Object.assign(app, {
    dir,
    stop: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
};

/** A deposit by `by` to these users and classes, through the use case's two steps. */
export const deposited = async (app: EmbeddedApp, by: string, recipients: { users: string[]; classes: string[] }, categoryId: string, title?: string): Promise<string> => {
  const checked = (await app.useCases.depositDocument.check(as(by), { recipients, categoryId, title }, undefined))._unsafeUnwrap();
  return (await app.useCases.depositDocument.store(checked, textFile(title ?? 'bytes')))._unsafeUnwrap().document.id;
};

/**
 * What the mail and webhook tests start from: a clock they move, a secrets key (webhook secrets),
 * 127.0.0.1 allowed as a webhook host, the school synced with the given directory (addresses and
 * all), and one category. Given an SMTP server, mail is on: the outbox queues what it will send.
 */
export const deliveringApp = async (clock: { now: () => string }, directory: Directory, smtpUrl?: string) => {
  const mail: Record<string, string> = smtpUrl ? { LOCKER_SMTP_URL: smtpUrl, LOCKER_MAIL_FROM: 'casier@school.test' } : {};
  const app = await embeddedApp({
    tenants: [],
    env: { LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', ...mail },
    overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }),
  });
  (await app.useCases.syncDirectory(as('s', 'school', ['directory:write']), directory))._unsafeUnwrap();
  const categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  return { app, categoryId };
};

/** Every file under a folder, as paths relative to it: what a failed request must not leave behind. */
export const filesUnder = (root: string): string[] => {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of (() => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    })()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(path.slice(root.length));
    }
  };
  walk(root);
  return out.sort();
};
