import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Result, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import type { Actor } from '../../application/deps.js';
import type { UseCaseError } from '../../application/errors.js';
import { problem, sendProblem, toProblem } from './problem.js';

/** Sends a use case's value with the given status, or its error as problem+json. */
export const answer = async <T>(
  reply: FastifyReply,
  result: Result<T, UseCaseError> | ResultAsync<T, UseCaseError> | PromiseLike<Result<T, UseCaseError>>,
  status = 200,
  shape?: (value: T) => unknown,
) => {
  const r = await result;
  if (r.isErr()) return sendProblem(reply, toProblem(r.error));
  return reply.code(status).send(shape ? shape(r.value) : r.value);
};

/** Bodies already encoded, by the value they were made from. */
const encoded = new WeakMap<object, string>();

/**
 * `answer` for values a use case hands out again unchanged (the read models' cached pages): the
 * body is checked against the route's schema and encoded once per value, the way the serializer
 * would (same schema, same encoding), then sent as it is each time.
 */
export const answerShared = async <T extends object>(
  reply: FastifyReply,
  result: Result<T, UseCaseError> | ResultAsync<T, UseCaseError>,
  schema: z.ZodType,
  shape: (value: T) => unknown,
) => {
  const r = await result;
  if (r.isErr()) return sendProblem(reply, toProblem(r.error));
  let body = encoded.get(r.value);
  if (body === undefined) {
    const checked = z.safeEncode(schema, shape(r.value));
    if (checked.error) throw new Error(`response does not match its schema: ${checked.error.message}`);
    body = JSON.stringify(checked.data);
    encoded.set(r.value, body);
  }
  // A string with a JSON type is sent as it is: fastify serializes objects only.
  return reply.code(200).type('application/json; charset=utf-8').send(body as never);
};

export const actorOf = (request: FastifyRequest): Actor => {
  if (!request.actor) throw new Error('route without authentication');
  return request.actor;
};

export const badRequest = (reply: FastifyReply, detail: string) => sendProblem(reply, problem(400, 'INVALID_INPUT', 'Bad request', detail));

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}
