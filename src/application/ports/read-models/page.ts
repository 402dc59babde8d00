export type Page<T> = { readonly items: T[]; readonly nextCursor: string | null };

export type PageRequest = { readonly cursor?: string | undefined; readonly limit: number };
