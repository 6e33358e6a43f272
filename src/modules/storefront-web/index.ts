// Storefront web: serves the React storefront (web/storefront, built into dist/web/storefront) at `/`,
// with server-rendered heads and JSON-LD for product and category URLs, sitemap.xml and robots.txt.
import type { StratusModule } from '../index.js';
import { storefrontWebRoutes } from './storefront-web.routes.js';

export { loadStorefrontBuild, type StorefrontBuild } from './storefront-web.assets.js';
export { productJsonLd } from './storefront-web.head.js';
export { type StorefrontSettings, storefrontSettingsFromEnv } from './storefront-web.settings.js';

export const storefrontWebModule: StratusModule = {
  name: 'storefront-web',
  routes: (app, options) => storefrontWebRoutes()(app as never, options),
};
