import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Passed through to the real server. */
  | 'none'
  /** 503 SlowDown, as S3 answers under load. */
  | 'unavailable'
  /** The status and headers of the real answer, then not one byte of its body. */
  | 'stall-body'
  /** Accepts the request and never answers. */
  | 'silent'
  /** This answer instead of the real one (S3 settings s3rver does not implement). */
  | { readonly status: number; readonly body: string };

/**
 * A proxy in front of a real S3 server (s3rver) that injects faults into the requests a test
 * chooses: what S3 and the networks in front of it do during a brown-out. Counts open sockets, so a
 * test can see whether the client gives up on the ones it stopped waiting for.
 */
export const startS3FaultProxy = async (target: string, pick: (req: IncomingMessage) => Fault = () => 'none') => {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  /** Sockets that were sent a stalled answer and are still open. */
  const stalled = new Set<Socket>();
  let choose = pick;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fault = choose(req);
    if (fault === 'silent') return;
    if (typeof fault === 'object') {
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/xml' });
      res.end(fault.body);
      return;
    }
    if (fault === 'unavailable') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    const forwarded = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (fault === 'stall-body') {
        const socket = req.socket;
        stalled.add(socket);
        socket.on('close', () => stalled.delete(socket));
        res.flushHeaders();
        answer.resume();
        return;
      }
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Connections still open from clients. */
    get openSockets() {
      return sockets.size;
    },
    /** Connections that got a stalled answer and that the client has not closed. */
    get stalledSockets() {
      return stalled.size;
    },
    set: (next: (req: IncomingMessage) => Fault) => {
      choose = next;
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
