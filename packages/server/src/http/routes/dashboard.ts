// The web dashboard: static files from packages/web/dist, index.html for any other non-API path
// (the app routes in the browser). No auth here: the files hold no data, and every /api call
// the app makes carries the user's key. Registered last, so API routes always win.

import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../context.js';

/** Same depth from src/http/routes and dist/http/routes: packages/server/<src|dist>/http/routes → packages/web/dist. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** No inline script or style elements, no third-party origins: the app is one bundle from this server. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API or ingest: an unknown one stays a JSON 404, never the app. */
const NOT_APP = /^\/(api|v1)(\/|$)|^\/metrics$/;

async function fileIn(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = normalize(join(root, decoded));
  if (!full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    return (await stat(full)).isFile() ? full : null;
  } catch {
    return null;
  }
}

function send(c: Context<AppEnv>, body: Buffer, file: string, cache: string) {
  c.header('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
  c.header('Cache-Control', cache);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Content-Security-Policy', DASHBOARD_CSP);
  if (c.req.method === 'HEAD') return c.body(null);
  return c.body(new Uint8Array(body));
}

export function registerDashboardRoutes(app: Hono<AppEnv>, root: string = DASHBOARD_DIR): void {
  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    const path = c.req.path;
    if (NOT_APP.test(path)) return next();
    const asset = path === '/' ? null : await fileIn(root, path);
    if (asset) {
      // Vite puts content hashes in every name under assets/, so those never change.
      const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      return send(c, await readFile(asset), asset, cache);
    }
    // A missing hashed asset is a real 404, not the app (a stale tab after an upgrade).
    if (path.startsWith('/assets/')) return next();
    const index = join(root, 'index.html');
    try {
      return send(c, await readFile(index), index, 'no-cache');
    } catch {
      return c.text('The dashboard is not built: run `npm run build` in the Sightline checkout.', 503);
    }
  });
}
