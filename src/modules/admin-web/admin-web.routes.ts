import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../platform/http/context.js';
import { encodedBody } from '../../platform/http/encoded-body.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { loadStorefrontBuild, type StorefrontBuild } from '../storefront-web/index.js';

/**
 * The app lives under its own prefix so it never competes with the admin JSON API for a path: every
 * other `/admin/*` URL stays an API route (and its 404 stays JSON), whatever the Accept header says.
 */
export const ADMIN_APP_PATH = '/admin/app';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const PUBLIC = { permission: 'public' } as const;

const UNBUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>Stratus Admin</title></head>
<body><p>The admin web app is not built. Run <code>npm run build</code>.</p></body></html>
`;

/** Where `vite build` writes: beside the compiled server in dist/, or dist/ at the root when running from src/. */
function adminBuildDir(): string | null {
  const candidates = [
    path.resolve(import.meta.dirname, '../../web/admin'),
    path.resolve(import.meta.dirname, '../../../dist/web/admin'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? null;
}

/**
 * The admin app: hashed assets cached for a year, and the same HTML shell (never cached, so a deploy
 * is picked up at once) for every client route under `/admin/app/`. The shell carries no inline
 * script, so the Content-Security-Policy's `script-src 'self'` holds.
 */
export function adminWebRoutes(
  options: { build?: StorefrontBuild } = {},
): FastifyPluginAsyncTypebox<{ ctx: AppContext }> {
  const dir = options.build ? options.build.dir : adminBuildDir();
  const build = options.build ?? (dir ? loadStorefrontBuild(dir) : null);
  return async (app, { ctx }) => {
    if (!build) ctx.logger.warn('admin web app is not built (npm run build)');
    const shell = (reply: FastifyReply) =>
      reply
        .code(build ? 200 : 503)
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(build ? build.template : UNBUILT);

    app.get('/admin', { schema: { hide: true }, config: PUBLIC }, async (_request, reply) =>
      reply.redirect(`${ADMIN_APP_PATH}/`, 302),
    );
    app.get(
      `${ADMIN_APP_PATH}/assets/*`,
      { schema: { hide: true }, config: PUBLIC },
      async (request, reply) => {
        const asset = build?.assets.get(request.url.split('?')[0]!.slice(ADMIN_APP_PATH.length));
        if (!asset) throw new AppError(PlatformErrors.NOT_FOUND, 'Asset not found');
        reply
          .header('cache-control', IMMUTABLE)
          .header('etag', asset.etag)
          .header('vary', 'accept-encoding')
          .type(asset.type);
        if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
        const { encoding, body } = encodedBody(asset, request.headers['accept-encoding']);
        if (encoding) reply.header('content-encoding', encoding);
        return reply.send(body);
      },
    );
    app.get(ADMIN_APP_PATH, { schema: { hide: true }, config: PUBLIC }, async (_request, reply) =>
      reply.redirect(`${ADMIN_APP_PATH}/`, 302),
    );
    app.get(`${ADMIN_APP_PATH}/*`, { schema: { hide: true }, config: PUBLIC }, async (_request, reply) =>
      shell(reply),
    );
  };
}
