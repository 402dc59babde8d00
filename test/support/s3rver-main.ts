// Runs s3rver in a process of its own, so that its memory is not counted as the product's.
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import S3rver from 's3rver';

const directory = process.argv[2]!;
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true }) as S3rver & {
  middleware: ((ctx: any, next: () => Promise<void>) => Promise<void>)[];
};
// s3rver keeps multipart uploads in `<bucket>/._S3rver_uploads/<uploadId>/` (a `key` file, then one
// file per part with its `.md5`) but answers none of the calls about them: ListMultipartUploads,
// ListParts and AbortMultipartUpload. The sweep lists and aborts what a crash left, and a refused
// upload aborts its own; they are answered here from those files, as S3 would.
const uploadsOf = (bucket: string) => join(directory, bucket, '._S3rver_uploads');
const xml = (ctx: { type: string; body: unknown }, body: string) => {
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>${body}`;
};
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
server.middleware.unshift(async (ctx, next) => {
  const [bucket = '', ...keyParts] = decodeURIComponent(ctx.path).replace(/^\//, '').split('/');
  const key = keyParts.join('/');
  const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined;
  if (ctx.method === 'GET' && 'uploads' in ctx.query && !uploadId && !key) {
    const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
    const ids = await readdir(uploadsOf(bucket)).catch(() => [] as string[]);
    const uploads = [];
    for (const id of ids) {
      const dir = join(uploadsOf(bucket), id);
      const uploadKey = await readFile(join(dir, 'key'), 'utf8').catch(() => undefined);
      if (uploadKey?.startsWith(prefix)) uploads.push({ id, key: uploadKey, initiated: (await stat(join(dir, 'key'))).mtime });
    }
    uploads.sort((a, b) => a.key.localeCompare(b.key));
    xml(
      ctx,
      `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escaped(bucket)}</Bucket>` +
        `<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker><Prefix>${escaped(prefix)}</Prefix>` +
        '<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>' +
        uploads.map((u) => `<Upload><Key>${escaped(u.key)}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`).join('') +
        '</ListMultipartUploadsResult>',
    );
    return;
  }
  if (uploadId && (ctx.method === 'GET' || ctx.method === 'DELETE')) {
    const dir = join(uploadsOf(bucket), uploadId);
    if ((await readFile(join(dir, 'key'), 'utf8').catch(() => undefined)) !== key) {
      ctx.status = 404;
      xml(ctx, `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><Key>${escaped(key)}</Key></Error>`);
      return;
    }
    if (ctx.method === 'DELETE') {
      await rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    const parts = [];
    for (const name of await readdir(dir)) {
      if (!/^\d+$/.test(name)) continue;
      const info = await stat(join(dir, name));
      parts.push({ number: Number(name), size: info.size, modified: info.mtime, md5: await readFile(join(dir, `${name}.md5`), 'utf8') });
    }
    parts.sort((a, b) => a.number - b.number);
    xml(
      ctx,
      `<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escaped(bucket)}</Bucket><Key>${escaped(key)}</Key><UploadId>${uploadId}</UploadId>` +
        `<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>${parts.at(-1)?.number ?? 0}</NextPartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>` +
        parts.map((p) => `<Part><PartNumber>${p.number}</PartNumber><LastModified>${p.modified.toISOString()}</LastModified><ETag>"${p.md5}"</ETag><Size>${p.size}</Size></Part>`).join('') +
        '</ListPartsResult>',
    );
    return;
  }
  await next();
});
// s3rver takes an object's Last-Modified from its file's mtime, which a copy of an object onto
// itself (metadata replaced) leaves alone; S3 and MinIO give the copy a new Last-Modified. Done
// here after the copy, as they would.
server.middleware.unshift(async (ctx, next) => {
  await next();
  const source = ctx.get('x-amz-copy-source');
  if (ctx.method !== 'PUT' || !source || ctx.status !== 200) return;
  if (decodeURIComponent(source).replace(/^\//, '') !== decodeURIComponent(ctx.path).replace(/^\//, '')) return;
  const [bucket, ...key] = decodeURIComponent(ctx.path).replace(/^\//, '').split('/');
  const store = (server as unknown as { store: { getResourcePath(b: string, k: string, r: string): string } }).store;
  const now = new Date();
  await utimes(store.getResourcePath(bucket!, key.join('/'), 'object'), now, now);
});
// s3rver deletes an object's files, then removes the directories left empty; two deletes in one
// folder at once race on that cleanup (ENOENT on readdir or rmdir) and it answers 500, though the
// object is gone. S3 and MinIO answer 204: so does this, for that race only. Any other failure of
// the test server is printed with its request, so a flaky run can be told from a bug.
server.middleware.unshift(async (ctx, next) => {
  try {
    await next();
  } catch (e) {
    const syscall = (e as { code?: string; syscall?: string }).code === 'ENOENT' ? (e as { syscall?: string }).syscall : undefined;
    if (ctx.method === 'DELETE' && (syscall === 'scandir' || syscall === 'rmdir')) {
      ctx.status = 204;
      return;
    }
    if (!((e as { status?: number }).status! < 500)) process.stderr.write(`s3rver failed ${ctx.method} ${ctx.path}: ${(e as Error).stack ?? String(e)}\n`);
    throw e;
  }
});
// S3 and MinIO write an object sent with `If-None-Match: *` only if the key is free, and answer
// 412 PreconditionFailed otherwise; s3rver ignores the header and overwrites. Answered here, inside
// the per-key wait below, so the check and the write are one step.
server.middleware.unshift(async (ctx, next) => {
  if (ctx.method !== 'PUT' || ctx.get('if-none-match') !== '*' || ctx.get('x-amz-copy-source') || 'partNumber' in ctx.query) return next();
  const [bucket, ...key] = decodeURIComponent(ctx.path).replace(/^\//, '').split('/');
  const store = (server as unknown as { store: { getResourcePath(b: string, k: string, r: string): string } }).store;
  const taken = await stat(store.getResourcePath(bucket!, key.join('/'), 'object')).then(
    () => true,
    () => false,
  );
  if (!taken) return next();
  ctx.status = 412;
  xml(ctx, `<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Key>${escaped(key.join('/'))}</Key></Error>`);
});
// S3 writes an object atomically whatever else writes it at the same time; s3rver's files do not
// (two PUTs of one key race on its temporary files). Writes to one key wait for each other here, as
// S3's own would not be seen to collide. Added last, so it runs first.
const writing = new Map<string, Promise<unknown>>();
server.middleware.unshift(async (ctx, next) => {
  // Parts of a multipart upload are written apart, under their upload id: they need no waiting.
  if ((ctx.method !== 'PUT' && ctx.method !== 'DELETE') || 'partNumber' in ctx.query) return next();
  const key = ctx.path;
  const before = writing.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => next());
  writing.set(key, mine);
  try {
    await mine;
  } finally {
    if (writing.get(key) === mine) writing.delete(key);
  }
});
const address = await server.run();
process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
