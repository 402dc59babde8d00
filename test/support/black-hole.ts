import { createServer, type Server, type Socket } from 'node:net';

/** A port on 127.0.0.1 that accepts TCP and never answers: clients that wait forever hang on it. */
export const startBlackHole = async () => {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    // Read and dropped: a socket never read would not notice the client closing it.
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    /** Connections a client still holds open. */
    get open() {
      return sockets.size;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
