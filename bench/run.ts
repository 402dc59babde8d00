// npm run bench: prints JSON. Every figure sits next to a baseline measured in the same run,
// because these machines are shared and noisy; the ratios are what to compare across runs.
import { benchCloudDeposit } from './cloud-deposit.js';
import { benchDirectoryMove } from './directory-move.js';
import { benchEventAppends } from './event-appends.js';
import { benchMailFanout } from './mail-fanout.js';
import { benchListing } from './listing.js';
import { benchSealing } from './sealing.js';
import { benchSmallDeposit } from './small-deposit.js';
import { benchSqliteDrivers } from './sqlite-drivers.js';
import { benchWebhookThroughput } from './webhook-throughput.js';
import { benchHistory } from './history.js';
import { benchUpload } from './upload.js';
import { benchNodeStart } from './node-start.js';
import { benchListingMix } from './listing-mix.js';
import { S3_CREDENTIALS, startS3 } from '../test/support/s3-server.js';
import { startClamd } from '../test/support/clamd-server.js';

const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};

const results: Record<string, unknown> = { node: process.version, at: new Date().toISOString() };
const only = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1];
// One figure alone: `npm run bench -- --only=<name>`.
const single: Record<string, () => Promise<unknown>> = {
  history: () => benchHistory([arg('history-events', 1_000_000)]),
  // A new node on a deployment of a million events: from the newest snapshot, or from the log (issue 35).
  'node-start': () => benchNodeStart(arg('start-events', 1_000_000)),
  'directory-move': () => benchDirectoryMove(arg('move-small', 1_000), arg('move-large', 100_000)),
  webhooks: () => benchWebhookThroughput(arg('hook-events', 2000)),
  cloud: () => benchCloudDeposit(arg('cloud-mib', 256)),
  mail: () => benchMailFanout(arg('mail-recipients', 500)),
  sealing: () => benchSealing(arg('seal-events', 5000)),
  listing: () => benchListing(arg('list-documents', 100_000)),
  // 300 staff listing while the school takes 20 deposits a second (issue 35).
  'listing-mix': () => benchListingMix(arg('list-documents', 100_000)),
  appends: () => benchEventAppends(arg('events', 5000)),
  'small-deposit': () => benchSmallDeposit(),
  // The same upload, scanned by a real clamd as it streams (issue 34): memory flat, the file read once.
  'scanned-upload': async () => {
    const clamd = await startClamd(arg('upload-mib', 512) * 1024 * 1024 + 1024 * 1024);
    try {
      return await benchUpload(arg('upload-mib', 512) * 1024 * 1024, { LOCKER_CLAMD_URL: clamd.tcpUrl, LOCKER_SCAN_TIMEOUT_MS: '120000' }, 'fs, scanned by clamd');
    } finally {
      await clamd.stop();
    }
  },
  'sqlite-drivers': async () => benchSqliteDrivers(arg('driver-events', 20_000), arg('driver-documents', 100_000), arg('driver-pages', 5_000)),
};
const one = only ? single[only] : undefined;
if (one) {
  results[only!] = await one();
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  process.exit(0);
}
results.directoryMove = await benchDirectoryMove(arg('move-small', 1_000), arg('move-large', 100_000));
results.mailFanout = await benchMailFanout(arg('mail-recipients', 500));
results.cloudDeposit = await benchCloudDeposit(arg('cloud-mib', 256));
results.webhooks = await benchWebhookThroughput(arg('hook-events', 2000));
results.sealing = await benchSealing(arg('seal-events', 5000));
results.eventAppends = await benchEventAppends(arg('events', 5000));
results.listing = await benchListing(arg('list-documents', 100_000));
results.sqliteDrivers = benchSqliteDrivers(arg('driver-events', 20_000), arg('driver-documents', 100_000), arg('driver-pages', 5_000));
results.smallDeposit = await benchSmallDeposit();
const uploadBytes = arg('upload-mib', 512) * 1024 * 1024;
results.upload = await benchUpload(uploadBytes);

// The same deposit on the S3 blob store, against s3rver on 127.0.0.1 (a Node S3 server: its own
// speed bounds this figure; compare it with the file-system run above, not with a real MinIO).
const s3 = await startS3();
try {
  const s3Upload = await benchUpload(uploadBytes, {
    LOCKER_BLOB_STORE: 's3',
    LOCKER_S3_ENDPOINT: s3.endpoint,
    LOCKER_S3_BUCKET: 'locker-bench',
    LOCKER_S3_ACCESS_KEY: S3_CREDENTIALS.accessKey,
    LOCKER_S3_SECRET_KEY: S3_CREDENTIALS.secretKey,
  }, 's3 (s3rver)');
  results.uploadS3 = { ...s3Upload, ratioToFsBlobStore: Number((s3Upload.lockerDepositMiBPerSecond / (results.upload as { lockerDepositMiBPerSecond: number }).lockerDepositMiBPerSecond).toFixed(3)) };
} finally {
  await s3.stop();
}
// Rollover and audit replay over a generated history; a smaller one first shows whether memory
// follows the history's length.
results.history = await benchHistory([arg('history-events', 1_000_000) / 4, arg('history-events', 1_000_000)]);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
