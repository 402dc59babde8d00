import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Result, ResultAsync } from 'neverthrow';
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
