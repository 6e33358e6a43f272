// System: the admin API for operating a store from the admin app: outbox depth, dead letters with
// replay, and backups (list, run now, verify), beside `/health/*`, `/metrics` and `/admin/costs`.
import type { StratusModule } from '../index.js';
import { systemRoutes } from './system.routes.js';

export { SystemErrors } from './system.errors.js';

export const systemModule: StratusModule = { name: 'system', routes: systemRoutes };
