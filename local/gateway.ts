/**
 * A local HTTP API: matches requests against the declared routes like API Gateway (most specific
 * route first, `$default` otherwise), builds a payload 2.0 event, invokes the function and writes
 * its response. With auth on, it enforces the same scopes as the cloud's JWT authorizer.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  acceptedScopes,
  fallbackFunction,
  type FunctionId,
  oauthScope,
  type RouteDeclaration,
  routeKey,
  SERVICE_SCOPES,
} from '#platform/declaration.ts';
import { compiledRoutes } from '#platform/route-paths.ts';
import type { SiteHandler } from './console-site.ts';
import type { DevAuthority } from './dev-auth.ts';
import { FunctionTimeoutError } from './lambda-runtime.ts';

/** The authorizer context of requests when the gateway runs without --auth. */
const LOCAL_CALLER: { claims: Record<string, unknown>; scopes: string[] } = {
  claims: { sub: 'local-developer' },
  scopes: SERVICE_SCOPES.map((scope) => oauthScope(scope)),
};

/** API Gateway's own payload limit (bytes). */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export function matchRoute(
  method: string,
  path: string,
): { route: RouteDeclaration; pathParameters: Record<string, string> } | undefined {
  for (const candidate of compiledRoutes) {
    if (candidate.route.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    candidate.names.forEach((name, i) => {
      let value = match[i + 1];
      try {
        value = decodeURIComponent(value);
      } catch {
        // keep the raw segment; the handler's validation will name it
      }
      pathParameters[name] = value;
    });
    return { route: candidate.route, pathParameters };
  }
  return undefined;
}

export interface GatewayOptions {
  port: number;
  invoke: (fn: FunctionId, event: APIGatewayProxyEventV2) => Promise<unknown>;
  auth?: DevAuthority;
  /** What only the local runtime knows (emulators, seeding): added to GET /health as `local`. */
  localStatus?: () => Record<string, unknown>;
  /** Static pages served beside the API (the console and /docs), before route matching. */
  site?: SiteHandler;
  log?: (line: string) => void;
}

const problem = (res: ServerResponse, status: number, title: string, detail: string) => {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
};

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_PAYLOAD_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const TEXT_TYPES = /^(application\/(json|[\w.+-]+\+json|xml|x-www-form-urlencoded)|text\/)/i;

export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  url: URL,
  match: ReturnType<typeof matchRoute>,
  authorizer: { claims: Record<string, unknown>; scopes: string[] },
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  const key = match ? routeKey(match.route) : '$default';
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType) || contentType === '';
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(match && Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { jwt: { claims: authorizer.claims, scopes: authorizer.scopes } },
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  } as APIGatewayProxyEventV2;
}

function writeResult(res: ServerResponse, result: unknown): void {
  // Payload 2.0: a result without statusCode is a 200 JSON body.
  const structured: APIGatewayProxyStructuredResultV2 =
    result && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
  const body = structured.body
    ? Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8')
    : Buffer.alloc(0);
  const headers: Record<string, string | string[]> = { ...(structured.headers as Record<string, string>) };
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
}

/** The health answer with the local runtime's own status added under `local`. */
function withLocalStatus(result: unknown, localStatus: GatewayOptions['localStatus']): unknown {
  const structured = result as APIGatewayProxyStructuredResultV2;
  if (!localStatus || typeof structured?.body !== 'string') return result;
  try {
    const body = JSON.parse(structured.body);
    return { ...structured, body: JSON.stringify({ ...body, local: localStatus() }) };
  } catch {
    return result;
  }
}

/** Starts the gateway on 127.0.0.1; rejects with EADDRINUSE if the port is taken. */
export async function startGateway(
  options: GatewayOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (options.site && (await options.site(req, res, url))) return;
      const body = await readBody(req);
      if (body === 'too-large')
        return problem(res, 413, 'Payload too large', `bodies over ${MAX_PAYLOAD_BYTES} bytes are refused`);
      const match = matchRoute(req.method ?? 'GET', url.pathname);
      // Without --auth every request acts as a local service caller holding every service scope.
      let authorizer = LOCAL_CALLER;
      if (options.auth) {
        const header = req.headers.authorization ?? '';
        const token = /^Bearer (.+)$/i.exec(header)?.[1];
        const verified = token ? options.auth.verify(token) : undefined;
        if (!verified)
          return problem(res, 401, 'Unauthorized', 'send a valid bearer token (npm start --auth prints one)');
        // As API Gateway's JWT authorizer: any one of the route's accepted scopes lets the token in
        // (unmatched paths reach $default, which accepts any service scope).
        const accepted = (match ? acceptedScopes(match.route) : [...SERVICE_SCOPES]).map((s) =>
          oauthScope(s),
        );
        if (!accepted.some((scope) => verified.scopes.includes(scope)))
          return problem(
            res,
            403,
            'Forbidden',
            // As the edge words it: the weakest scope that reaches the route (stronger ones do too).
            `this route requires the scope ${oauthScope(match?.route.scope ?? 'read')}`,
          );
        authorizer = verified;
      }
      const event = toApiGatewayEvent(req, body, url, match, authorizer);
      const fn = match ? match.route.function : fallbackFunction;
      const result = await options.invoke(fn, event);
      writeResult(
        res,
        match?.route.operation === 'getHealth' ? withLocalStatus(result, options.localStatus) : result,
      );
      options.log?.(`${req.method} ${url.pathname} -> ${res.statusCode} ${Date.now() - started} ms`);
    } catch (error) {
      if (error instanceof FunctionTimeoutError) return problem(res, 504, 'Gateway timeout', error.message);
      options.log?.(`gateway error: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) problem(res, 500, 'Internal error', 'the function failed; see the platform log');
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
