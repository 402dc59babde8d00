// Writes the OpenAPI document the server serves to openapi.json (committed): what clients are
// generated from, and what `npm run openapi:lint` checks. A test fails when the two drift apart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/adapters/config/config.js';
import { startServer } from '../src/composition/serve.js';

export const liveDocument = async (): Promise<unknown> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'locker-openapi-'));
  const running = await startServer(loadConfig({ LOCKER_DATA_DIR: dataDir, LOCKER_PORT: '0', LOCKER_LOG_LEVEL: 'silent', LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SHUTDOWN_GRACE_MS: '0' }));
  try {
    return (await fetch(`${running.url}/openapi.json`)).json();
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(join(import.meta.dirname, '..', 'openapi.json'), `${JSON.stringify(await liveDocument(), null, 2)}\n`);
  process.stdout.write('openapi.json written\n');
}
