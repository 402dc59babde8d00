import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Problem = components['schemas']['Problem'];

/**
 * A typed client for the digital-locker API: every path, parameter, body and answer checked by
 * TypeScript against the OpenAPI document it was generated from (`npm run openapi`).
 * Uploads are multipart: pass `meta` (an object) and `file` (a Blob or File; a deposit takes an
 * array of them, one document each) as the body; they are sent as the server expects them, meta first.
 */
export const createLockerClient = (baseUrl: string, token: () => string | Promise<string>) => {
  const client = createClient<paths>({
    baseUrl,
    bodySerializer: (body: unknown) => {
      if (body && typeof body === 'object' && 'file' in body) {
        const { meta, file } = body as { meta?: unknown; file: Blob | Blob[] };
        const form = new FormData();
        // Meta first, then each file in order: the server reads the parts as they come.
        if (meta !== undefined) form.append('meta', new Blob([JSON.stringify(meta)], { type: 'application/json' }));
        for (const one of Array.isArray(file) ? file : [file]) form.append('file', one, (one as Blob & { name?: string }).name ?? 'file');
        return form;
      }
      return JSON.stringify(body);
    },
  });
  const auth: Middleware = {
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${await token()}`);
      return request;
    },
  };
  client.use(auth);
  return client;
};

export type LockerClient = ReturnType<typeof createLockerClient>;
