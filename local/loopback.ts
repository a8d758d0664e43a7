/** Local HTTP servers listen on 127.0.0.1 only and close even while clients keep connections alive. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  url: string;
  /** Stops listening and drops kept-alive connections (browsers and SDK clients hold them open). */
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1:`port` (0: a free port). */
export async function listenOnLoopback(server: Server, port = 0): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
