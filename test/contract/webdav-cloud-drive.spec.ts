import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { webdavCloudDrive } from '../../src/adapters/webdav/webdav-cloud-drive.js';
import { startBlackHole } from '../support/black-hole.js';
import { startWebdav, WEBDAV_USER } from '../support/webdav-server.js';
import { CLOUD_FILES, cloudDriveContract } from './cloud-drive.contract.js';

cloudDriveContract('WebDAV (webdav-server on 127.0.0.1)', async () => {
  const server = await startWebdav(CLOUD_FILES);
  const silent = await startBlackHole();
  const drive = webdavCloudDrive({ timeoutMs: 1000, allowedHosts: ['127.0.0.1'] });
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

describe('WebDAV download that stops half-way', () => {
  // A server that answers the PROPFIND, sends part of the file and then says nothing: the idle
  // deadline is restarted by every chunk, so the download is cut once the bytes stop, not before.
  const stalling = async () => {
    const server = createServer((req, res) => {
      if (req.method === 'PROPFIND') {
        res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' });
        res.end(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/stall.bin</d:href><d:propstat><d:prop>
          <d:displayname>stall.bin</d:displayname><d:getcontentlength>1048576</d:getcontentlength><d:getcontenttype>application/octet-stream</d:getcontenttype>
          <d:resourcetype/><d:getlastmodified>Tue, 01 Dec 2026 10:00:00 GMT</d:getlastmodified></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1048576' });
      // Bytes keep coming for longer than the deadline, then stop.
      let sent = 0;
      const drip = setInterval(() => {
        res.write(Buffer.alloc(1024, 1));
        if (++sent === 8) clearInterval(drip);
      }, 50);
      res.on('close', () => clearInterval(drip));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise((r) => server.close(r).closeAllConnections()) };
  };

  it('cuts the download after the idle deadline once bytes stop coming, and keeps it while they come', async () => {
    const server = await stalling();
    try {
      const drive = webdavCloudDrive({ timeoutMs: 250, allowedHosts: ['127.0.0.1'] });
      const file = (await drive.open({ url: server.url, ...WEBDAV_USER }, '/stall.bin'))._unsafeUnwrap();
      const started = performance.now();
      await expect(
        (async () => {
          for await (const _ of file.content);
        })(),
      ).rejects.toThrow();
      // The last of the 8 drips leaves at ~400 ms, past the 250 ms deadline: a deadline not restarted
      // by each chunk would have cut it sooner. A lower bound only, so a slow machine cannot fail it.
      expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    } finally {
      await server.stop();
    }
  });
});

describe('WebDAV to where the admin pointed it, and nowhere else (ADR 38)', () => {
  it('refuses a cloud at an internal address before sending anything, and says only "refused"', async () => {
    const server = await startWebdav(CLOUD_FILES);
    try {
      // No allowed host: the same server on loopback is internal.
      const drive = webdavCloudDrive({ timeoutMs: 1000, allowedHosts: [] });
      const refused = (await drive.check({ url: server.url, ...WEBDAV_USER }))._unsafeUnwrapErr();
      expect(refused).toEqual({ code: 'CLOUD_UNAVAILABLE', reason: 'refused: the server is not at a public address' });
      const byName = webdavCloudDrive({ timeoutMs: 1000, allowedHosts: [], lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
      const port = new URL(server.url).port;
      expect((await byName.list({ url: `http://cloud.school.test:${port}/`, ...WEBDAV_USER }, '/'))._unsafeUnwrapErr()).toMatchObject({ reason: /^refused/ });
    } finally {
      await server.stop();
    }
  });

  it.each(['.', '..', ' '])('a user name %j cannot climb out of the per-user folder: refused before any request', async (username) => {
    let requests = 0;
    const server = createServer((_, res) => ((requests += 1), res.writeHead(207).end()));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const drive = webdavCloudDrive({ timeoutMs: 1000, allowedHosts: ['127.0.0.1'] });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/remote.php/dav/files/{user}/`;
      expect((await drive.check({ url, username, password: 'secret' }))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_AUTH_FAILED' });
      expect(requests).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('an unreachable server is "failed", never the socket\'s error', async () => {
    const drive = webdavCloudDrive({ timeoutMs: 1000, allowedHosts: ['127.0.0.1'] });
    // A closed port: ECONNREFUSED must not show.
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect((await drive.check({ url: `http://127.0.0.1:${port}/`, ...WEBDAV_USER }))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_UNAVAILABLE', reason: 'failed: the server could not be reached' });
  });
});
