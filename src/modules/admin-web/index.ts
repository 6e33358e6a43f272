// Admin web: serves the merchant's React admin app (web/admin, built into dist/web/admin) at `/admin/app/`,
// beside the admin JSON API it calls; `GET /admin` sends browsers there.
import type { StratusModule } from '../index.js';
import { adminWebRoutes } from './admin-web.routes.js';

export { ADMIN_APP_PATH, adminWebRoutes } from './admin-web.routes.js';

export const adminWebModule: StratusModule = {
  name: 'admin-web',
  routes: (app, options) => adminWebRoutes()(app as never, options),
};
