// The baseline for uploads: the same fastify + multipart stack, streaming the file straight to disk.
import fastifyMultipart from '@fastify/multipart';
import Fastify from 'fastify';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2]!;
// With `fsync`, the baseline makes the file as durable as the product does before it answers.
const flush = process.argv[3] === 'fsync';
const app = Fastify();
await app.register(fastifyMultipart, { throwFileSizeLimit: false });
app.post('/upload', async (req, reply) => {
  let n = 0;
  for await (const part of req.parts({ limits: { fileSize: 2 ** 40 } })) {
    if (part.type === 'file') await pipeline(part.file, createWriteStream(join(dir, `upload-${n++}`), { flush }));
  }
  return reply.code(201).send({ ok: true });
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
