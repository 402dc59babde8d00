import { createServer, type IncomingHttpHeaders } from 'node:http';

export type Received = { headers: IncomingHttpHeaders; body: string; at: number };

/** A real HTTP receiver in the test process: records every POST, answers what `answer` says. */
export const startReceiver = async (answer: (n: number, r: Received) => number = () => 200, delayMs = 0) => {
  const received: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      // A slow receiver keeps deliveries pending for the crash tests.
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const r = { headers: req.headers, body, at: Date.now() };
      const status = answer(n++, r);
      if (status >= 200 && status < 300) received.push(r);
      if (status >= 300 && status < 400) res.setHeader('location', 'http://169.254.169.254/');
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  return {
    url,
    received,
    /** Every POST that arrived, whatever it was answered. */
    get hits() {
      return n;
    },
    /** Waits (bounded) until at least `count` deliveries were accepted. */
    waitFor: async (count: number, timeoutMs = 10_000) => {
      const until = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return received;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
