import { webdavCloudDrive } from '../../src/adapters/webdav/webdav-cloud-drive.js';
import { startBlackHole } from '../support/black-hole.js';
import { startWebdav, WEBDAV_USER } from '../support/webdav-server.js';
import { CLOUD_FILES, cloudDriveContract } from './cloud-drive.contract.js';

cloudDriveContract('WebDAV (webdav-server on 127.0.0.1)', async () => {
  const server = await startWebdav(CLOUD_FILES);
  const silent = await startBlackHole();
  const drive = webdavCloudDrive({ timeoutMs: 1000 });
  return {
    drive,
    account: { url: server.url, ...WEBDAV_USER },
    wrong: { url: server.url, username: 'anne', password: 'wrong' },
    unreachable: { url: `http://127.0.0.1:${silent.port}`, ...WEBDAV_USER },
    stop: async () => {
      await server.stop();
      await silent.stop();
    },
  };
});
