// A real WebDAV server (webdav-server) in a process of its own, on 127.0.0.1, with basic auth:
// user `anne`, password `app-password`, serving the folder it is given. `/redirect` answers a
// redirect to another host, for the tests that must not follow it.
import { v2 as webdav } from 'webdav-server';

const root = process.argv[2]!;
const users = new webdav.SimpleUserManager();
const anne = users.addUser('anne', 'app-password', false);
const privileges = new webdav.SimplePathPrivilegeManager();
privileges.setRights(anne, '/', ['all']);
const server = new webdav.WebDAVServer({
  hostname: '127.0.0.1',
  port: 0,
  httpAuthentication: new webdav.HTTPBasicAuthentication(users, 'Nuage'),
  privilegeManager: privileges,
  rootFileSystem: new webdav.PhysicalFileSystem(root),
});
server.beforeRequest((ctx, next) => {
  if (ctx.requested.uri.startsWith('/redirect')) {
    ctx.response.statusCode = 302;
    ctx.response.setHeader('location', 'http://169.254.169.254/latest/meta-data/');
    ctx.response.end();
    return;
  }
  next();
});
server.start((s) => {
  const address = (s as unknown as import('node:net').Server).address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
