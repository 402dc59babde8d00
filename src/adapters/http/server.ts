import { randomUUID } from 'node:crypto';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UseCases } from '../../application/use-cases.js';
import type { Verifier } from './auth.js';
import { problem, problemCodeOf, sendProblem } from './problem.js';
import { drainAfterAnswer, type UploadLimits } from './upload.js';
import { finishDocument } from './openapi.js';
import { problemSchema } from './schemas.js';
import { adminRoutes } from './routes/admin.js';
import { collectionRoutes } from './routes/collections.js';
import { integrationRoutes } from './routes/integrations.js';
import type { WebhookService } from '../../application/use-cases/webhooks.js';
import { documentRoutes } from './routes/documents.js';
import { listingRoutes } from './routes/listings.js';
import { rolloverRoutes } from './routes/rollovers.js';
import { auditRoutes } from './routes/audit.js';
import { builtConsoleDir, consoleRoutes, type ConsoleOptions } from './console.js';

export type ServerOptions = {
  readonly useCases: UseCases;
  readonly verifier: Verifier;
  readonly logLevel: string;
  readonly uploads: UploadLimits;
  readonly metrics: { observe(method: string, route: string, status: number, seconds: number): void; scrape(): Promise<string> };
  readonly webhooks?: WebhookService | undefined;
  readonly sseHeartbeatMs?: number | undefined;
  /** The package's version, as the OpenAPI document's `info.version`. */
  readonly version?: string | undefined;
  /** Swagger UI at /docs (HTML with inline scripts): off by default, the console is the page people use. */
  readonly apiDocsUi?: boolean | undefined;
  /** Where the console's files are (found beside the server by default) and how it signs people in. */
  readonly console?: Partial<ConsoleOptions> | undefined;
};

/** A request id a client may choose, if it is short and printable; otherwise one is made. */
const REQUEST_ID = /^[\w.:@-]{1,128}$/;

const PUBLIC = new Set(['/', '/health', '/ready', '/openapi.json', '/metrics']);

export const buildServer = async (options: ServerOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: { level: options.logLevel, redact: ['req.headers.authorization'] },
    // Uploads of many megabytes take time on slow school networks; a stuck one is still cut off.
    requestTimeout: 30 * 60 * 1000,
    return503OnClosing: true,
    // Our own access log line (with tenant and user) replaces fastify's two per request.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Ids are up to 128 characters (schemas.ts); the router's default of 100 would cut them first.
    routerOptions: { maxParamLength: 256 },
    // The router's own refusals (a malformed percent-encoding, a parameter over the length) are
    // the client's mistakes, answered like every other one.
    frameworkErrors: (error, _req, reply) => {
      const status = error.statusCode ?? 400;
      void sendProblem(reply, problem(status < 500 ? status : 400, codeOfStatus(status), statusTitle(status), error.message));
    },
    // A request Node cannot even parse (bad header, oversized header) gets a problem document too.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return socket.destroy();
      const status = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify(problem(status, codeOfStatus(status), statusTitle(status), 'the request could not be parsed'));
      socket.end(`HTTP/1.1 ${status} ${statusTitle(status)}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'digital-locker',
        version: options.version ?? '0.0.0',
        description: 'Digital lockers for teachers, staff and counselors: deposit documents for colleagues and keep managing them.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (documentObject) => finishDocument((documentObject as { openapiObject: Parameters<typeof finishDocument>[0] }).openapiObject) as never,
  });
  // The console is the one path that serves HTML; Swagger UI only where a deployment asks for it.
  if (options.apiDocsUi) await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyMultipart, { throwFileSizeLimit: false });

  // Every route registered, for the test that holds the OpenAPI document to what the server serves.
  const routes: { method: string; url: string; hidden: boolean }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide) });
  });
  app.decorate('registeredRoutes', routes);

  // Uploads in flight, for a test that must know a slot is taken before it asks for another.
  app.decorate('uploadSlots', options.uploads.slots);
  let shuttingDown = false;
  /** Called first thing by a shutdown: /ready answers 503 from then on. */
  app.decorate('beginShutdown', () => void (shuttingDown = true));

  app.decorateRequest('actor', null);
  // The request id goes back to the client, whatever the answer, so a report can be matched to the logs.
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    options.metrics.observe(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // The request's logger already carries reqId: naming it again made every line hold it twice.
    req.log.info(
      { method: req.method, route, status: reply.statusCode, code: problemCodeOf(reply), ms: Math.round(reply.elapsedTime), tenant: req.actor?.tenant, user: req.actor?.userId },
      'request completed',
    );
  });
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (PUBLIC.has(path) || path === '/docs' || path.startsWith('/docs/') || path === '/console' || path.startsWith('/console/')) return;
    // No such route: a 404 whoever asks, before any token is looked at.
    if (req.routeOptions.url === undefined) return;
    const verified = await options.verifier(req.headers.authorization);
    if (!verified.ok) {
      reply.header('www-authenticate', `Bearer error="invalid_token", error_description="${verified.failure.reason}"`);
      return sendProblem(reply, problem(401, 'UNAUTHENTICATED', 'Unauthenticated', verified.failure.detail));
    }
    req.actor = verified.actor;
  });

  // A refusal sent before the body was read: read (and drop) a bounded rest, so the client reads the answer.
  app.addHook('onResponse', async (req) => drainAfterAnswer(req.raw));

  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const detail = error.validation.map((v) => `${error.validationContext ?? 'request'}${v.instancePath ? v.instancePath.replace(/\//g, '.') : ''}: ${v.message}`).join('; ');
      return sendProblem(reply, problem(400, 'INVALID_INPUT', 'Bad request', detail));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own refusals (malformed JSON, body too large, wrong content type) are the client's.
      return sendProblem(reply, problem(status, codeOfStatus(status), statusTitle(status), error.message));
    }
    req.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem(500, 'INTERNAL', 'Internal error', 'the request failed on the server; it has been logged'));
  });
  // The root says where the contract, the console and (when on) the contract's UI are.
  app.get('/', { schema: { hide: true } }, async () => ({ name: 'digital-locker', version: options.version ?? '0.0.0', openapi: '/openapi.json', console: '/console/', ...(options.apiDocsUi ? { docs: '/docs' } : {}) }));
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem(404, 'NOT_FOUND', 'Not found', `no route ${req.method} ${req.url.split('?')[0]}`)));

  app.get('/health', { schema: { tags: ['operations'], summary: 'Liveness', security: [], response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));
  app.get(
    '/ready',
    { schema: { tags: ['operations'], summary: 'Readiness: the stores answer', security: [], response: { 200: z.object({ status: z.literal('ready') }), 503: problemSchema } } },
    async (_req, reply) => {
      // From the moment shutdown begins, before the listener closes: the balancer stops sending.
      if (shuttingDown) return sendProblem(reply, problem(503, 'NOT_READY', 'Not ready', 'shutting down'));
      const ready = await options.useCases.ready();
      if (ready.isErr()) return sendProblem(reply, problem(503, 'NOT_READY', 'Not ready', `not answering: ${ready.error.map((e) => e.code).join(', ')}`));
      return { status: 'ready' as const };
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Prometheus scrapes this; like /health it is open, and meant to be reached from inside the network only.
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type('text/plain; version=0.0.4').send(await options.metrics.scrape()));

  await app.register(adminRoutes(options.useCases));
  await app.register(documentRoutes(options.useCases, options.uploads));
  await app.register(collectionRoutes(options.useCases, options.uploads));
  if (options.webhooks) await app.register(integrationRoutes(options.useCases, options.webhooks, { heartbeatMs: options.sseHeartbeatMs ?? 15_000 }));
  await app.register(listingRoutes(options.useCases));
  await app.register(rolloverRoutes(options.useCases));
  await app.register(auditRoutes(options.useCases));
  await app.register(consoleRoutes({ dir: builtConsoleDir(), ...options.console }));
  return app;
};

const STATUSES: Record<number, [code: string, title: string]> = {
  400: ['BAD_REQUEST', 'Bad request'],
  404: ['NOT_FOUND', 'Not found'],
  405: ['METHOD_NOT_ALLOWED', 'Method not allowed'],
  406: ['NOT_ACCEPTABLE', 'Not acceptable'],
  408: ['REQUEST_TIMEOUT', 'Request timeout'],
  413: ['BODY_TOO_LARGE', 'Payload too large'],
  414: ['URI_TOO_LONG', 'URI too long'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  431: ['HEADERS_TOO_LARGE', 'Request header fields too large'],
};

/** Our own codes for the framework's refusals: its internal FST_ERR_* names are not part of the contract. */
const codeOfStatus = (status: number) => STATUSES[status]?.[0] ?? 'BAD_REQUEST';
const statusTitle = (status: number) => STATUSES[status]?.[1] ?? 'Request refused';
