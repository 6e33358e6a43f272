import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import { backupsModule } from './backups/index.js';
import { meteringModule } from './metering/index.js';
import { probesModule } from './probes/index.js';

/** A business module as the app sees it: its routes. Subscribers and jobs register on import. */
export interface StratusModule {
  name: string;
  routes: FastifyPluginAsync<{ ctx: AppContext }>;
}

/** Every business module, in registration order. */
export const modules: StratusModule[] = [meteringModule, backupsModule, probesModule];
