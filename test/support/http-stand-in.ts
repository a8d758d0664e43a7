/**
 * A local HTTP server standing in for a remote API the emulators do not cover (Lambda's REST API,
 * a throttling Marquee API): each request's JSON body is read, then handed to `handle` to answer.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  method: string;
  url: string;
  body: Record<string, unknown> | undefined;
}

export interface HttpStandIn {
  url: string;
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 (a free port) until `stop`. */
export async function startHttpStandIn(
  handle: (request: StandInRequest, response: ServerResponse) => void,
): Promise<HttpStandIn> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      handle({ method: req.method ?? '', url: req.url ?? '', body }, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
