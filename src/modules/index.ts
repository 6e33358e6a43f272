import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import { auditModule } from './audit/index.js';
import { identityModule } from './identity/index.js';
import { privacyModule } from './privacy/index.js';

/** A business module as the app sees it: its routes. Subscribers and jobs register on import. */
export interface StratusModule {
  name: string;
  routes: FastifyPluginAsync<{ ctx: AppContext }>;
  /** Optional hooks installed on the root app before any module's routes (they see every route). */
  hooks?: (app: FastifyInstance, ctx: AppContext) => Promise<void>;
}

/** Every business module, in registration order. */
export const modules: StratusModule[] = [identityModule, auditModule, privacyModule];
