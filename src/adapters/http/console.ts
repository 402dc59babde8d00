import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { problem, sendProblem } from './problem.js';

/** Where `npm run build` puts the console (ADR 55): beside the compiled server, or under dist/ when the server runs from src/. */
export const builtConsoleDir = (): string | undefined =>
  [join(import.meta.dirname, '../../console'), join(import.meta.dirname, '../../../dist/console')].find((dir) => existsSync(join(dir, 'index.html')));

export type ConsoleOptions = {
  /** The built console; undefined when it was not built (the API serves on, /console says so). */
  readonly dir: string | undefined;
  /** The identity provider the page signs in with (hosted mode), so the page may reach it. */
  readonly oidc?: { readonly issuer: string; readonly clientId: string } | undefined;
};

/**
 * No inline script or style, nothing from elsewhere but the identity provider's endpoints, no
 * framing, no form posting anywhere: the page runs only the bundle it was built with.
 */
export const consolePolicy = (oidcIssuer?: string): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self'${oidcIssuer ? ` ${new URL(oidcIssuer).origin}` : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/**
 * The console for auditors and admins at /console: the only path that serves HTML. It is public
 * (a page with no data); everything it shows it asks the API for, with the signed-in person's token.
 */
export const consoleRoutes =
  (options: ConsoleOptions): FastifyPluginAsync =>
  async (app) => {
    const policy = consolePolicy(options.oidc?.issuer);
    app.addHook('onSend', async (req, reply) => {
      if (!req.url.startsWith('/console')) return;
      reply.header('content-security-policy', policy);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
    });
    app.get('/console', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console/', 301));
    // What the page needs to know of the deployment: how people sign in.
    app.get('/console/config.json', { schema: { hide: true } }, async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return { oidc: options.oidc ?? null };
    });
    if (!options.dir) {
      app.get('/console/*', { schema: { hide: true } }, async (_req, reply) =>
        sendProblem(reply, problem(503, 'CONSOLE_NOT_BUILT', 'Console not built', 'run npm run build: the console is built with the server')),
      );
      return;
    }
    await app.register(fastifyStatic, {
      root: options.dir,
      prefix: '/console/',
      index: ['index.html'],
      // Hashed names never change: cached for good; the page itself is asked again each time.
      setHeaders: (res, path) => res.header('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
      schemaHide: true,
    });
  };
