// A real SMTP server (smtp-server) in a process of its own, on 127.0.0.1. It writes each mail it
// accepts to a file as one JSON line, and answers as the parent tells it over IPC: accept, refuse
// every mail (550), or refuse for now (451).
import { appendFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';

const inbox = process.argv[2]!;
let mode: 'accept' | 'refuse' | 'tempfail' = (process.argv[3] as 'accept') ?? 'accept';

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      // As real relays do, the refusal quotes the address: it must not reach the log (issue 30).
      if (mode === 'refuse') return callback(Object.assign(new Error(`5.1.1 <${session.envelope.rcptTo.map((r) => r.address).join(',')}>: Recipient address rejected`), { responseCode: 550 }));
      if (mode === 'tempfail') return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
      appendFileSync(inbox, `${JSON.stringify({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') })}\n`);
      callback();
    });
  },
});
// A client that dies mid-conversation (a killed server) resets its connection: that is not ours to crash on.
server.on('error', () => undefined);
process.on('message', (m: { mode?: typeof mode }) => {
  if (m.mode) mode = m.mode;
  process.send?.({ ok: true });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${address.port} (SMTP)\n`);
});
