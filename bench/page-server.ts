// The baseline of the listing under a real mix: fastify verifying the same JWTs the product does
// (the product's own verifier, its cache of verified tokens included) and sending a JSON page of
// the same size, given as a file. No read models, no cache of answers: the floor of the route.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { createVerifier } from '../src/adapters/http/auth.js';

const page = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as unknown;
const verify = createVerifier({ secret: process.env.LOCKER_JWT_SECRET! });
const app = Fastify({ logger: { level: process.env.LOCKER_LOG_LEVEL ?? 'warn' } });
app.get('/v1/locker', async (req, reply) => {
  const checked = await verify(req.headers.authorization);
  if (!checked.ok) return reply.code(401).send({ error: checked.failure.reason });
  return page;
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
