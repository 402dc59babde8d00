import { okAsync, ResultAsync, type Result } from 'neverthrow';
import { effectivePreferences, holdsLocker, lockerDecider, quietUntil } from '../../domain/index.js';
import type { Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handle } from '../handle-command.js';
import { schoolMoves } from '../school-moves.js';
import { takeLease, waves } from '../lease.js';
import { composeMail, type MailFact } from '../mail-content.js';
import type { MailError, Mailer } from '../ports/mailer.js';
import type { OutboxItem } from '../ports/read-models.js';

export type MailOptions = {
  /** This node, as the lease names it. */
  readonly holder: string;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  /** The first retry waits this long, each next one twice as long. */
  readonly retryBaseMs: number;
  /** A mail not sent by then is not sent at all (a rebuild, a long outage): news goes stale. */
  readonly maxAgeMs: number;
  readonly publicUrl: string;
  /** The right-hand side of the Message-IDs: the sender's domain. */
  readonly messageIdDomain: string;
  readonly batch: number;
  readonly concurrency: number;
};

export type DispatchReport = { sent: number; held: number; retried: number; failed: number; skipped: number; leaseHeldElsewhere: string[] };

const ACTOR = 'system:mailer';

/**
 * Sends what the outbox holds when it is due: one mail per (event, person), or one digest of
 * everything held for a person once their quiet hours end. Each mail accepted by the SMTP server
 * becomes `EmailSent` on the addressee's locker stream, so no restart and no rebuild sends it
 * again; a crash between the two resends it once, with the same Message-ID (ADR 18). Failures are
 * retried with exponential backoff, then recorded as `EmailFailed`. One node per tenant sends, the
 * holder of the tenant's mail lease.
 */
export const mailDispatcher = (deps: Deps, mailer: Mailer, options: MailOptions) => {
  const by = () => ({ actorId: ACTOR, at: deps.clock.now() });

  const lease = (tenant: string) => takeLease(deps, tenant, deps.streams.mailLease(tenant), options.holder, options.leaseMs, ACTOR);

  const factOf = (item: OutboxItem): MailFact | undefined => {
    const name = (id: string) => deps.readModels.user(item.tenant, id)?.displayName ?? id;
    const designation = (id: string) => deps.readModels.categories(item.tenant).find((c) => c.id === id)?.designation ?? id;
    if (item.kind === 'webhook-disabled') {
      const hook = deps.readModels.webhooks(item.tenant).find((w) => w.id === item.documentId);
      return hook ? { kind: item.kind, documentId: hook.id, title: hook.url, actorName: name(item.actorId), category: 'webhooks', memo: null } : undefined;
    }
    if (item.kind.startsWith('collection-')) {
      const asked = deps.readModels.collection(item.tenant, item.documentId);
      if (!asked || asked.status !== 'open') return undefined;
      return { kind: item.kind, documentId: asked.id, title: asked.title, actorName: name(asked.requesterId), category: designation(asked.categoryId), memo: asked.instructions };
    }
    const doc = deps.readModels.document(item.tenant, item.documentId);
    if (!doc || doc.deleted) return undefined;
    const category = deps.readModels.categories(item.tenant).find((c) => c.id === doc.categoryId)?.designation ?? doc.categoryId;
    // A reminder the scheduler sent is still the depositor's: their name is the one to show.
    const who = item.kind === 'reminder' ? doc.depositorId : item.actorId;
    const actorName = deps.readModels.user(item.tenant, who)?.displayName ?? who;
    return { kind: item.kind, documentId: doc.id, title: doc.title, actorName, category, memo: doc.memo };
  };

  /** One person's due mails: skipped, held, or sent (as one, or as a digest). */
  const deliver = (tenant: string, userId: string, items: OutboxItem[], report: DispatchReport): ResultAsync<void, UseCaseError> => {
    const now = deps.clock.now();
    const skip = (these: OutboxItem[], why: string) => {
      if (these.length === 0) return;
      deps.readModels.markMail(tenant, these.map((i) => i.mailId), { skipped: why, lastError: why });
      report.skipped += these.length;
    };
    const person = deps.readModels.user(tenant, userId);
    if (!person || !holdsLocker(deps.readModels.directoryView(tenant), userId)) return okAsync(skip(items, 'no open locker'));
    const prefs = effectivePreferences(deps.readModels.notificationSettings(tenant), deps.readModels.preferences(tenant, userId));
    if (!prefs.email) return okAsync(skip(items, 'e-mail turned off'));
    const address = person.email;
    if (!address) return okAsync(skip(items, 'no e-mail address in the directory'));
    const fresh = items.filter((i) => Date.parse(now) - Date.parse(i.at) <= options.maxAgeMs);
    skip(items.filter((i) => !fresh.includes(i)), 'too old to be news');
    const facts = fresh.map((i) => [i, factOf(i)] as const);
    skip(facts.filter(([, f]) => !f).map(([i]) => i), 'document deleted, or request closed');
    const sendable = facts.filter((pair): pair is readonly [OutboxItem, MailFact] => pair[1] !== undefined);
    if (sendable.length === 0) return okAsync(undefined);
    const mailIds = sendable.map(([i]) => i.mailId);
    const heldUntil = quietUntil(now, prefs.quietHours, prefs.timeZone);
    if (heldUntil) {
      deps.readModels.markMail(tenant, mailIds, { heldUntil });
      report.held += mailIds.length;
      return okAsync(undefined);
    }
    const messageId = `<${deps.ids.derive('mail', tenant, ...[...mailIds].sort())}@${options.messageIdDomain}>`;
    const content = composeMail(sendable.map(([, f]) => f), prefs.locale, options.publicUrl);
    const locker = deps.streams.locker(tenant, userId);
    // A refused or failed send is a value to act on here, not an error of the dispatch.
    const attempt: Promise<Result<void, MailError>> = (async () => await mailer.send({ to: { name: person.displayName, address }, messageId, ...content }))();
    return ResultAsync.fromSafePromise(attempt).andThen((sent) => {
      if (sent.isOk()) {
        report.sent += 1;
        return handle(deps, lockerDecider, tenant, locker, { type: 'RecordEmailSent', ...by(), holderId: userId, mailIds, messageId }, { waitForReadModels: false }).map(() => undefined);
      }
      const attempts = Math.max(...sendable.map(([i]) => i.attempts)) + 1;
      if (attempts >= options.maxAttempts) {
        report.failed += 1;
        return handle(deps, lockerDecider, tenant, locker, { type: 'RecordEmailFailed', ...by(), holderId: userId, mailIds, error: sent.error.message }, { waitForReadModels: false }).map(() => undefined);
      }
      report.retried += 1;
      const nextAttemptAt = new Date(Date.parse(now) + options.retryBaseMs * 2 ** (attempts - 1)).toISOString();
      deps.readModels.markMail(tenant, mailIds, { attempts, nextAttemptAt, lastError: sent.error.message });
      return okAsync(undefined);
    });
  };

  const perTenant = (tenant: string, items: OutboxItem[], report: DispatchReport): ResultAsync<void, UseCaseError> =>
    lease(tenant).andThen((mine) => {
      if (!mine) {
        report.leaseHeldElsewhere.push(tenant);
        return okAsync(undefined);
      }
      const byUser = new Map<string, OutboxItem[]>();
      for (const item of items) byUser.set(item.userId, [...(byUser.get(item.userId) ?? []), item]);
      const people = [...byUser];
      // A few people at a time: the SMTP connections are pooled, each person's records are theirs alone.
      return waves(people, options.concurrency).reduce<ResultAsync<void, UseCaseError>>(
        (acc, wave) =>
          acc
            .andThen(() => lease(tenant))
            .andThen((still) => (still ? ResultAsync.combine(wave.map(([userId, mine]) => deliver(tenant, userId, mine, report))).map(() => undefined) : okAsync(undefined))),
        okAsync(undefined),
      );
    });

  let running: Promise<Awaited<ReturnType<typeof run>>> | undefined;
  const run = () => {
    const report: DispatchReport = { sent: 0, held: 0, retried: 0, failed: 0, skipped: 0, leaseHeldElsewhere: [] };
    return catchUp(deps.projector)
      .andThen(() => schoolMoves(deps).importing())
      .andThen((importing) => {
        // A school being imported is left alone: its archive writes the streams a send would (ADR 54).
        const due = deps.readModels.dueMail(deps.clock.now(), options.batch).filter((item) => !importing.has(item.tenant));
        const byTenant = new Map<string, OutboxItem[]>();
        for (const item of due) byTenant.set(item.tenant, [...(byTenant.get(item.tenant) ?? []), item]);
        return [...byTenant].reduce<ResultAsync<void, UseCaseError>>((acc, [tenant, items]) => acc.andThen(() => perTenant(tenant, items, report)), okAsync(undefined));
      })
      .andThen(() => catchUp(deps.projector))
      .map(() => report);
  };

  return {
    /** Sends what is due now; calls while one runs share it. */
    tick: () => {
      running ??= Promise.resolve(run()).finally(() => {
        running = undefined;
      });
      return running;
    },
    /** Resolves once the dispatch under way, if any, is over: a stopping server waits for it. */
    settled: async (): Promise<void> => {
      await running;
    },
  };
};

export type MailDispatcher = ReturnType<typeof mailDispatcher>;
