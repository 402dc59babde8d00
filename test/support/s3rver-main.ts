// Runs s3rver in a process of its own, so that its memory is not counted as the product's.
import S3rver from 's3rver';

const directory = process.argv[2]!;
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true }) as S3rver & {
  middleware: ((ctx: any, next: () => Promise<void>) => Promise<void>)[];
};
// s3rver lacks ListMultipartUploads, which the minio client calls before a multipart upload:
// answer it with an empty list (nothing to resume), as a fresh bucket would.
server.middleware.unshift(async (ctx, next) => {
  if (ctx.method === 'GET' && 'uploads' in ctx.query && !('uploadId' in ctx.query)) {
    const bucket = ctx.path.split('/')[1] ?? '';
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket>` +
      '<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker>' +
      '<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>';
    return;
  }
  await next();
});
const address = await server.run();
process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
