import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RolloverJob } from '../../../application/use-cases/rollover-jobs.js';
import type { UseCases } from '../../../application/use-cases.js';
import { sendProblem, toProblem } from '../problem.js';
import { actorOf, answer } from '../reply.js';
import { idParam, problemSchema, schoolYear } from '../schemas.js';

const rolloverBody = z
  .object({ from: schoolYear, to: schoolYear, dryRun: z.boolean().default(false), categories: z.array(z.string().min(1).max(128)).max(1000).optional() })
  .strict();

const jobSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  request: z.object({ from: z.string(), to: z.string(), dryRun: z.boolean(), categories: z.array(z.string()).optional() }),
  progress: z.unknown(),
  report: z.unknown(),
  error: z.unknown(),
});

const present = (job: RolloverJob) => ({ id: job.id, status: job.status, request: { ...job.request, categories: job.request.categories ? [...job.request.categories] : undefined }, progress: job.progress, report: job.report, error: job.error && toProblem(job.error) });

/** The use cases these routes call, and nothing else of the application. */
export type RolloverUseCases = Pick<UseCases, 'rollovers'>;

export const rolloverRoutes =
  (uc: RolloverUseCases): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/rollovers',
      {
        schema: {
          tags: ['school years'],
          summary: 'Carry the live documents of a school year into the next one (runs in the background)',
          body: rolloverBody,
          response: { 202: jobSchema, 400: problemSchema, 401: problemSchema, 403: problemSchema },
        },
      },
      async (req, reply) => {
        const started = uc.rollovers.start(actorOf(req), req.body);
        if (started.isErr()) return sendProblem(reply, toProblem(started.error));
        return reply.code(202).header('location', `/v1/rollovers/${started.value.id}`).send(present(started.value));
      },
    );

    app.get(
      '/v1/rollovers/:id',
      { schema: { tags: ['school years'], summary: "A rollover's progress and report", params: idParam, response: { 200: jobSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema } } },
      (req, reply) => answer(reply, uc.rollovers.get(actorOf(req), req.params.id), 200, present),
    );
  };
