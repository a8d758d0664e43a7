/**
 * Marquee's typed client: openapi-fetch over the types generated from /openapi.json
 * (`npm run client`). Every call answers `{ data }` or `{ error }`, the error typed as the API's
 * application/problem+json; `unwrap` turns the second into a thrown MarqueeApiError.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.ts';

export type { components, operations, paths };
export type MarqueeClient = Client<paths>;
/** RFC 9457 problem the API answers for every 4xx/5xx; `errors[]` names each bad field. */
export type Problem = components['schemas']['Problem'];

export interface MarqueeClientOptions {
  /** The API's base URL, e.g. http://127.0.0.1:3000 or the HTTP API's invoke URL. */
  baseUrl: string;
  /** Bearer token, or a function read before each request (a console's token can change). */
  token?: string | (() => string | undefined);
  /** Another fetch (tests, retries); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** A client for one Marquee API; sends the bearer token when one is given. */
export function createMarqueeClient(options: MarqueeClientOptions): MarqueeClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use({
    onRequest({ request }) {
      const token = typeof options.token === 'function' ? options.token() : options.token;
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

/** An answer other than 2xx, with the API's problem (or one made from a body that was not one). */
export class MarqueeApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly request: string,
  ) {
    super(`${request} answered ${status}: ${problem.detail || problem.title}`);
    this.name = 'MarqueeApiError';
  }
}

/** Reads an error body as a Problem; a gateway's HTML or plain text becomes the detail. */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  if (body && typeof body === 'object' && 'title' in body && 'status' in body) return body as Problem;
  const detail = typeof body === 'string' ? body.slice(0, 500) : '';
  return { type: 'about:blank', title: statusText || `HTTP ${status}`, status, detail };
}

type Result<T> =
  | { data: T; error?: never; response: Response }
  | { data?: never; error: unknown; response: Response };

/**
 * The call's data, or a MarqueeApiError naming the request and carrying the problem. A 204's empty
 * body resolves to undefined (openapi-fetch types every success body as possibly absent).
 */
export async function unwrap<T>(pending: Promise<Result<T>>): Promise<NonNullable<T>> {
  const result = await pending;
  if (result.error === undefined && result.response.ok) return result.data as NonNullable<T>;
  const { response } = result;
  const request = `${response.url ? new URL(response.url).pathname : 'request'}`;
  throw new MarqueeApiError(
    response.status,
    toProblem(response.status, response.statusText, result.error),
    request,
  );
}
