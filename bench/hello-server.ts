// The baseline for request rates: fastify answering a small JSON body, its logger at the product's level.
import Fastify from 'fastify';

const app = Fastify({ logger: { level: process.env.LOCKER_LOG_LEVEL ?? 'warn' } });
app.get('/hello', async () => ({ hello: 'world' }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
