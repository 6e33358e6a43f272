import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type EncodedBody, encodable } from '../../platform/http/encoded-body.js';

/**
 * A built file held in memory; its compressed forms are made on first request and kept, so startup
 * reads files only (the whole build is about 1.3 MB, most of it the lazy 3D viewer).
 */
export interface Asset extends EncodedBody {
  type: string;
  etag: string;
}

export interface StorefrontBuild {
  dir: string | null;
  /** index.html with its `<!--stratus:head-->` and `<!--stratus:data-->` markers. */
  template: string;
  /** By URL path, `/assets/index-abc.js`. */
  assets: Map<string, Asset>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.glb': 'model/gltf-binary',
};
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.txt']);

/**
 * Shown when `npm run build` has not produced the web app (a checkout running from source). The
 * server-rendered head still works; only the interactive app is missing.
 */
const UNBUILT_TEMPLATE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <!--stratus:head--><title>Stratus Store</title><!--/stratus:head-->
  </head>
  <body>
    <p>The storefront web app is not built. Run <code>npm run build</code>.</p>
    <!--stratus:data-->
  </body>
</html>
`;

/** Where `vite build` writes: beside the compiled server in dist/, or dist/ at the root when running from src/. */
function buildDir(): string | null {
  const candidates = [
    path.resolve(import.meta.dirname, '../../web/storefront'),
    path.resolve(import.meta.dirname, '../../../dist/web/storefront'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? null;
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name.startsWith('.')) return [];
    return statSync(full).isDirectory() ? walk(full, base) : [full];
  });
}

const loaded = new Map<string, StorefrontBuild>();

/** Reads the build once per process; hashed file names make every asset immutable. */
export function loadStorefrontBuild(dir = buildDir()): StorefrontBuild {
  if (!dir) return { dir: null, template: UNBUILT_TEMPLATE, assets: new Map() };
  const cached = loaded.get(dir);
  if (cached) return cached;
  const build = readBuild(dir);
  loaded.set(dir, build);
  return build;
}

function readBuild(dir: string): StorefrontBuild {
  const assets = new Map<string, Asset>();
  for (const file of walk(dir)) {
    const urlPath = `/${path.relative(dir, file).split(path.sep).join('/')}`;
    if (urlPath === '/index.html') continue;
    const extension = path.extname(file);
    const raw = readFileSync(file);
    assets.set(urlPath, {
      type: TYPES[extension] ?? 'application/octet-stream',
      etag: `"${createHash('sha1').update(raw).digest('base64url')}"`,
      ...encodable(raw, COMPRESSIBLE.has(extension)),
    });
  }
  return { dir, template: readFileSync(path.join(dir, 'index.html'), 'utf8'), assets };
}
