/**
 * Serves the console (`/console/**`) and the API reference (`/docs/**`) from the local gateway.
 * The site is built with esbuild on the first request for it and kept for the process's life;
 * `/console/config.json` tells the console whether the local API wants a token.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { buildSite, type ConsoleConfig } from '../console/build.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

/** Answers GET/HEAD for the site's paths; every other request is the API's. */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** The site's handler, building into `dir` once, lazily. */
export function localConsoleSite(dir: string, config: ConsoleConfig): SiteHandler {
  let built: Promise<void> | undefined;
  return async (req, res, url) => {
    const file = siteFile(url.pathname);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    if (file === 'console/config.json') {
      send(res, 200, '.json', Buffer.from(JSON.stringify(config)), req.method);
      return true;
    }
    built ??= buildSite(dir, { minify: false });
    await built;
    const absolute = path.join(dir, file);
    // The decoded path may carry `..`: nothing outside the built site is served.
    if (!absolute.startsWith(dir + path.sep))
      return send(res, 404, '.txt', Buffer.from('not found'), req.method);
    const body = await readFile(absolute).catch(() => undefined);
    if (body) return send(res, 200, path.extname(file), body, req.method);
    // An unknown asset is a 404; any other console path is a page of the single-page app.
    if (path.extname(file) || file.startsWith('docs/')) {
      return send(res, 404, '.txt', Buffer.from('not found'), req.method);
    }
    return send(res, 200, '.html', await readFile(path.join(dir, 'console', 'index.html')), req.method);
  };
}

/** The site-relative file for a request path, or undefined when the path is the API's. */
export function siteFile(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded === '/docs' || decoded === '/docs/') return 'docs/index.html';
  if (decoded === '/console' || decoded === '/console/') return 'console/index.html';
  if (!decoded.startsWith('/docs/') && !decoded.startsWith('/console/')) return undefined;
  // `..` segments must not climb out of the site's two folders.
  const file = path.posix.normalize(decoded.slice(1));
  return file.startsWith('console/') || file.startsWith('docs/') ? file : undefined;
}

function send(res: ServerResponse, status: number, ext: string, body: Buffer, method?: string): true {
  res.writeHead(status, {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
}
