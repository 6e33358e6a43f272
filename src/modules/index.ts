import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import { analyticsModule } from './analytics/index.js';

/** A business module as the app sees it: its routes. Subscribers and jobs register on import. */
export interface StratusModule {
  name: string;
  routes: FastifyPluginAsync<{ ctx: AppContext }>;
}

/** Every business module, in registration order. */
export const modules: StratusModule[] = [analyticsModule];
