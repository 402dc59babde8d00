import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';
import { checkNotificationSettings, DEFAULT_NOTIFICATION_SETTINGS, type NotificationSettings, type PreferenceError } from '../notification/preferences.js';
import { isSchoolYear } from '../shared/school-year.js';

/** Categories, the document size limit and the current year of one tenant: one stream, because they change rarely. */
export type TenantSettingsEvent =
  | DomainEvent<'CategoryCreated', { categoryId: string; designation: string }>
  | DomainEvent<'CategoryRenamed', { categoryId: string; designation: string }>
  | DomainEvent<'CategoryRetired', { categoryId: string }>
  /** Documents of the category expire this many days after their deposit (null: kept). */
  | DomainEvent<'CategoryRetentionSet', { categoryId: string; days: number | null }>
  | DomainEvent<'MaxDocumentSizeSet', { maxDocumentBytes: number }>
  | DomainEvent<'CurrentYearSet', { year: string }>
  /** The tenant's defaults for mails, whole after each change. */
  | DomainEvent<'NotificationSettingsSet', NotificationSettings>
  /** The cloud services people may link and deposit from, whole after each change. */
  | DomainEvent<'CloudsSet', { clouds: CloudService[] }>
  /** How long after someone leaves the directory their personal data is erased. */
  | DomainEvent<'ErasureDelaySet', { days: number }>
  /** How long the bytes of a version found infected are kept for the admins (null: until they act). */
  | DomainEvent<'QuarantineRetentionSet', { days: number | null }>;

/** A cloud service an admin configured; `url` may hold `{user}`, the person's user name there. */
export type CloudService = { readonly id: string; readonly kind: 'webdav'; readonly name: string; readonly url: string };

export type Category = { readonly id: string; readonly designation: string; readonly retired: boolean; readonly retentionDays?: number | null | undefined };

export type TenantSettings = {
  readonly categories: ReadonlyMap<string, Category>;
  /** Undefined until an admin sets one: the deployment's default applies. */
  readonly maxDocumentBytes: number | undefined;
  /** Undefined until an admin sets one: the year of today's date applies. */
  readonly currentYear: string | undefined;
  readonly notifications?: NotificationSettings | undefined;
  readonly clouds?: readonly CloudService[] | undefined;
  readonly erasePeopleAfterDays?: number | undefined;
  readonly quarantineRetentionDays?: number | null | undefined;
};

export type TenantSettingsCommand =
  | (CommandContext & { readonly type: 'CreateCategory'; readonly categoryId: string; readonly designation: string })
  | (CommandContext & { readonly type: 'RenameCategory'; readonly categoryId: string; readonly designation: string })
  | (CommandContext & { readonly type: 'RetireCategory'; readonly categoryId: string })
  | (CommandContext & { readonly type: 'SetCategoryRetention'; readonly categoryId: string; readonly days: number | null })
  /** Both changes or neither: one decision, one append. */
  | (CommandContext & {
      readonly type: 'ChangeSettings';
      readonly maxDocumentBytes?: number | undefined;
      readonly currentYear?: string | undefined;
      readonly notifications?: Partial<NotificationSettings> | undefined;
      readonly clouds?: readonly CloudService[] | undefined;
      readonly erasePeopleAfterDays?: number | undefined;
      readonly quarantineRetentionDays?: number | null | undefined;
      /** Credentials can be kept only with a secrets key: no key, no clouds. */
      readonly secretsKeyConfigured?: boolean | undefined;
    });

export type TenantSettingsError =
  | { readonly code: 'CATEGORY_NOT_FOUND'; readonly categoryId: string }
  | { readonly code: 'CATEGORY_RETIRED'; readonly categoryId: string }
  | { readonly code: 'DESIGNATION_TAKEN'; readonly designation: string }
  | { readonly code: 'INVALID_DESIGNATION'; readonly reason: string }
  | { readonly code: 'INVALID_MAX_SIZE'; readonly maxDocumentBytes: number }
  | { readonly code: 'INVALID_SCHOOL_YEAR'; readonly year: string }
  | { readonly code: 'INVALID_CLOUDS'; readonly reason: string }
  | { readonly code: 'INVALID_RETENTION'; readonly days: number }
  | PreferenceError;

const evolve = (state: TenantSettings, event: TenantSettingsEvent): TenantSettings => {
  switch (event.type) {
    case 'CategoryCreated': {
      const categories = new Map(state.categories);
      categories.set(event.data.categoryId, { id: event.data.categoryId, designation: event.data.designation, retired: false });
      return { ...state, categories };
    }
    case 'CategoryRenamed':
    case 'CategoryRetired': {
      const current = state.categories.get(event.data.categoryId);
      if (!current) return state;
      const categories = new Map(state.categories);
      categories.set(
        current.id,
        event.type === 'CategoryRenamed' ? { ...current, designation: event.data.designation } : { ...current, retired: true },
      );
      return { ...state, categories };
    }
    case 'CategoryRetentionSet': {
      const current = state.categories.get(event.data.categoryId);
      if (!current) return state;
      return { ...state, categories: new Map(state.categories).set(current.id, { ...current, retentionDays: event.data.days }) };
    }
    case 'MaxDocumentSizeSet':
      return { ...state, maxDocumentBytes: event.data.maxDocumentBytes };
    case 'CurrentYearSet':
      return { ...state, currentYear: event.data.year };
    case 'NotificationSettingsSet':
      return { ...state, notifications: event.data };
    case 'CloudsSet':
      return { ...state, clouds: event.data.clouds };
    case 'ErasureDelaySet':
      return { ...state, erasePeopleAfterDays: event.data.days };
    case 'QuarantineRetentionSet':
      return { ...state, quarantineRetentionDays: event.data.days };
  }
};

export const DESIGNATION_MAX = 100;

// Control characters (C0, DEL, C1), and characters that print nothing: zero-width spaces and
// joiners, bidirectional controls, the BOM, soft hyphen, invisible operators, tag characters.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]|[\u{e0000}-\u{e0fff}]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Names people read: NFC, single spaces, and nothing that hides or controls text. */
export const normaliseDesignation = (designation: string): Result<string, TenantSettingsError> => {
  if (LONE_SURROGATE.test(designation)) return err({ code: 'INVALID_DESIGNATION', reason: 'contains an unpaired surrogate' });
  if (FORBIDDEN.test(designation.replace(/[\t\n\r]/g, ' '))) return err({ code: 'INVALID_DESIGNATION', reason: 'contains a control or invisible character' });
  const clean = designation.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (clean.length === 0 || [...clean].length > DESIGNATION_MAX) return err({ code: 'INVALID_DESIGNATION', reason: `a designation has 1 to ${DESIGNATION_MAX} characters` });
  return ok(clean);
};

/** Two designations are the same name when they differ only by case or accents: "Réunions" = "reunions". */
const sameName = (a: string, b: string): boolean => {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('und');
  return fold(a) === fold(b);
};

const checkDesignation = (state: TenantSettings, designation: string, except?: string): Result<string, TenantSettingsError> =>
  normaliseDesignation(designation).andThen((clean): Result<string, TenantSettingsError> =>
    [...state.categories.values()].some((c) => !c.retired && c.id !== except && sameName(c.designation, clean))
      ? err({ code: 'DESIGNATION_TAKEN', designation: clean })
      : ok(clean),
  );

/** A category a document may be filed under: it exists and is not retired. */
export const usableCategory = (state: TenantSettings, categoryId: string): Result<Category, TenantSettingsError> => {
  const category = state.categories.get(categoryId);
  if (!category) return err({ code: 'CATEGORY_NOT_FOUND', categoryId });
  if (category.retired) return err({ code: 'CATEGORY_RETIRED', categoryId });
  return ok(category);
};

const changeSettings = (state: TenantSettings, cmd: Extract<TenantSettingsCommand, { type: 'ChangeSettings' }>): Result<TenantSettingsEvent[], TenantSettingsError> => {
  const events: TenantSettingsEvent[] = [];
  if (cmd.maxDocumentBytes !== undefined) {
    if (!Number.isSafeInteger(cmd.maxDocumentBytes) || cmd.maxDocumentBytes < 1) return err({ code: 'INVALID_MAX_SIZE', maxDocumentBytes: cmd.maxDocumentBytes });
    if (state.maxDocumentBytes !== cmd.maxDocumentBytes) {
      events.push({ type: 'MaxDocumentSizeSet', data: { maxDocumentBytes: cmd.maxDocumentBytes }, actor: cmd.actorId, at: cmd.at });
    }
  }
  if (cmd.currentYear !== undefined) {
    // The year deposits go to and listings show; every other year is read-only.
    if (!isSchoolYear(cmd.currentYear)) return err({ code: 'INVALID_SCHOOL_YEAR', year: cmd.currentYear });
    if (state.currentYear !== cmd.currentYear) events.push({ type: 'CurrentYearSet', data: { year: cmd.currentYear }, actor: cmd.actorId, at: cmd.at });
  }
  if (cmd.notifications !== undefined) {
    const valid = checkNotificationSettings(cmd.notifications);
    if (valid.isErr()) return err(valid.error);
    const before = state.notifications ?? DEFAULT_NOTIFICATION_SETTINGS;
    const after: NotificationSettings = { ...before, ...Object.fromEntries(Object.entries(cmd.notifications).filter(([, v]) => v !== undefined)) };
    if (JSON.stringify(after) !== JSON.stringify(before)) events.push({ type: 'NotificationSettingsSet', data: after, actor: cmd.actorId, at: cmd.at });
  }
  if (cmd.erasePeopleAfterDays !== undefined) {
    if (!Number.isInteger(cmd.erasePeopleAfterDays) || cmd.erasePeopleAfterDays < 1 || cmd.erasePeopleAfterDays > 3650) return err({ code: 'INVALID_RETENTION', days: cmd.erasePeopleAfterDays });
    if ((state.erasePeopleAfterDays ?? 90) !== cmd.erasePeopleAfterDays) events.push({ type: 'ErasureDelaySet', data: { days: cmd.erasePeopleAfterDays }, actor: cmd.actorId, at: cmd.at });
  }
  if (cmd.quarantineRetentionDays !== undefined) {
    const days = cmd.quarantineRetentionDays;
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) return err({ code: 'INVALID_RETENTION', days });
    if ((state.quarantineRetentionDays ?? null) !== days) events.push({ type: 'QuarantineRetentionSet', data: { days }, actor: cmd.actorId, at: cmd.at });
  }
  if (cmd.clouds !== undefined) {
    if (cmd.clouds.length > 0 && !cmd.secretsKeyConfigured) return err({ code: 'INVALID_CLOUDS', reason: 'the server has no LOCKER_SECRETS_KEY to keep credentials with' });
    const ids = cmd.clouds.map((c) => c.id);
    if (new Set(ids).size !== ids.length) return err({ code: 'INVALID_CLOUDS', reason: 'two clouds have the same id' });
    if (JSON.stringify(cmd.clouds) !== JSON.stringify(state.clouds ?? [])) events.push({ type: 'CloudsSet', data: { clouds: [...cmd.clouds] }, actor: cmd.actorId, at: cmd.at });
  }
  return ok(events);
};

const decide = (state: TenantSettings, cmd: TenantSettingsCommand): Result<TenantSettingsEvent[], TenantSettingsError> => {
  switch (cmd.type) {
    case 'CreateCategory':
      return checkDesignation(state, cmd.designation).map((designation) => [
        { type: 'CategoryCreated', data: { categoryId: cmd.categoryId, designation }, actor: cmd.actorId, at: cmd.at },
      ]);
    case 'RenameCategory':
      return usableCategory(state, cmd.categoryId).andThen((category) =>
        checkDesignation(state, cmd.designation, category.id).map((designation): TenantSettingsEvent[] =>
          designation === category.designation
            ? []
            : [{ type: 'CategoryRenamed', data: { categoryId: category.id, designation }, actor: cmd.actorId, at: cmd.at }],
        ),
      );
    case 'RetireCategory': {
      // Retiring keeps the category on the documents already filed under it; it only stops new use.
      const category = state.categories.get(cmd.categoryId);
      if (!category) return err({ code: 'CATEGORY_NOT_FOUND', categoryId: cmd.categoryId });
      return ok(category.retired ? [] : [{ type: 'CategoryRetired', data: { categoryId: category.id }, actor: cmd.actorId, at: cmd.at }]);
    }
    case 'ChangeSettings':
      return changeSettings(state, cmd);
    case 'SetCategoryRetention': {
      // A retired category still has documents: their retention may change too.
      const category = state.categories.get(cmd.categoryId);
      if (!category) return err({ code: 'CATEGORY_NOT_FOUND', categoryId: cmd.categoryId });
      if (cmd.days !== null && (!Number.isInteger(cmd.days) || cmd.days < 1 || cmd.days > 36_500)) return err({ code: 'INVALID_RETENTION', days: cmd.days });
      if ((category.retentionDays ?? null) === cmd.days) return ok([]);
      return ok([{ type: 'CategoryRetentionSet', data: { categoryId: category.id, days: cmd.days }, actor: cmd.actorId, at: cmd.at }]);
    }
  }
};

export const tenantSettingsDecider: Decider<TenantSettingsCommand, TenantSettings, TenantSettingsEvent, TenantSettingsError> = {
  initialState: { categories: new Map(), maxDocumentBytes: undefined, currentYear: undefined },
  evolve,
  decide,
};
