import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, DomainEvent } from '../shared/decider.js';
import { isSchoolYear } from '../shared/school-year.js';

/** Categories and the document size limit of one tenant: one stream, because they change rarely. */
export type TenantSettingsEvent =
  | DomainEvent<'CategoryCreated', { categoryId: string; designation: string }>
  | DomainEvent<'CategoryRenamed', { categoryId: string; designation: string }>
  | DomainEvent<'CategoryRetired', { categoryId: string }>
  | DomainEvent<'MaxDocumentSizeSet', { maxDocumentBytes: number }>
  | DomainEvent<'CurrentYearSet', { year: string }>;

export type Category = { readonly id: string; readonly designation: string; readonly retired: boolean };

export type TenantSettings = {
  readonly categories: ReadonlyMap<string, Category>;
  /** Undefined until an admin sets one: the deployment's default applies. */
  readonly maxDocumentBytes: number | undefined;
  /** Undefined until an admin sets one: the year of today's date applies. */
  readonly currentYear: string | undefined;
};

export const initialTenantSettings: TenantSettings = { categories: new Map(), maxDocumentBytes: undefined, currentYear: undefined };

export const evolveTenantSettings = (state: TenantSettings, event: TenantSettingsEvent): TenantSettings => {
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
    case 'MaxDocumentSizeSet':
      return { ...state, maxDocumentBytes: event.data.maxDocumentBytes };
    case 'CurrentYearSet':
      return { ...state, currentYear: event.data.year };
  }
};

export type TenantSettingsError =
  | { readonly code: 'CATEGORY_NOT_FOUND'; readonly categoryId: string }
  | { readonly code: 'CATEGORY_RETIRED'; readonly categoryId: string }
  | { readonly code: 'DESIGNATION_TAKEN'; readonly designation: string }
  | { readonly code: 'INVALID_DESIGNATION' }
  | { readonly code: 'INVALID_MAX_SIZE'; readonly maxDocumentBytes: number }
  | { readonly code: 'INVALID_SCHOOL_YEAR'; readonly year: string };

const normalise = (designation: string): string => designation.trim().replace(/\s+/g, ' ');

const checkDesignation = (state: TenantSettings, designation: string, except?: string): Result<string, TenantSettingsError> => {
  const clean = normalise(designation);
  if (clean.length === 0 || clean.length > 100) return err({ code: 'INVALID_DESIGNATION' });
  const taken = [...state.categories.values()].some(
    (c) => !c.retired && c.id !== except && c.designation.toLocaleLowerCase() === clean.toLocaleLowerCase(),
  );
  return taken ? err({ code: 'DESIGNATION_TAKEN', designation: clean }) : ok(clean);
};

const activeCategory = (state: TenantSettings, categoryId: string): Result<Category, TenantSettingsError> => {
  const category = state.categories.get(categoryId);
  if (!category) return err({ code: 'CATEGORY_NOT_FOUND', categoryId });
  if (category.retired) return err({ code: 'CATEGORY_RETIRED', categoryId });
  return ok(category);
};

export const createCategory = (
  state: TenantSettings,
  cmd: CommandContext & { categoryId: string; designation: string },
): Result<TenantSettingsEvent[], TenantSettingsError> =>
  checkDesignation(state, cmd.designation).map((designation) => [
    { type: 'CategoryCreated', data: { categoryId: cmd.categoryId, designation }, actor: cmd.actorId, at: cmd.at },
  ]);

export const renameCategory = (
  state: TenantSettings,
  cmd: CommandContext & { categoryId: string; designation: string },
): Result<TenantSettingsEvent[], TenantSettingsError> =>
  activeCategory(state, cmd.categoryId).andThen((category) =>
    checkDesignation(state, cmd.designation, category.id).map((designation): TenantSettingsEvent[] =>
      designation === category.designation
        ? []
        : [{ type: 'CategoryRenamed', data: { categoryId: category.id, designation }, actor: cmd.actorId, at: cmd.at }],
    ),
  );

/** Retiring keeps the category on the documents already filed under it; it only stops new use. */
export const retireCategory = (
  state: TenantSettings,
  cmd: CommandContext & { categoryId: string },
): Result<TenantSettingsEvent[], TenantSettingsError> => {
  const category = state.categories.get(cmd.categoryId);
  if (!category) return err({ code: 'CATEGORY_NOT_FOUND', categoryId: cmd.categoryId });
  return ok(category.retired ? [] : [{ type: 'CategoryRetired', data: { categoryId: category.id }, actor: cmd.actorId, at: cmd.at }]);
};

export const setMaxDocumentSize = (
  state: TenantSettings,
  cmd: CommandContext & { maxDocumentBytes: number },
): Result<TenantSettingsEvent[], TenantSettingsError> => {
  if (!Number.isSafeInteger(cmd.maxDocumentBytes) || cmd.maxDocumentBytes < 1) {
    return err({ code: 'INVALID_MAX_SIZE', maxDocumentBytes: cmd.maxDocumentBytes });
  }
  return ok(
    state.maxDocumentBytes === cmd.maxDocumentBytes
      ? []
      : [{ type: 'MaxDocumentSizeSet', data: { maxDocumentBytes: cmd.maxDocumentBytes }, actor: cmd.actorId, at: cmd.at }],
  );
};

/** The year deposits go to and listings show; every other year is closed: read-only. */
export const setCurrentYear = (
  state: TenantSettings,
  cmd: CommandContext & { year: string },
): Result<TenantSettingsEvent[], TenantSettingsError> => {
  if (!isSchoolYear(cmd.year)) return err({ code: 'INVALID_SCHOOL_YEAR', year: cmd.year });
  return ok(state.currentYear === cmd.year ? [] : [{ type: 'CurrentYearSet', data: { year: cmd.year }, actor: cmd.actorId, at: cmd.at }]);
};

export const usableCategory = activeCategory;
