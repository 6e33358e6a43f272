import type { AppContext } from '../../src/platform/http/context.js';
import { catalogScenarios } from './catalog.js';
import { storefrontScenarios } from './storefront.js';

export interface BenchRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A load scenario: `prepare` runs inside the server process before it listens (seed data) and may
 * return state; `requests` turns that state into the request mix the load client sends. `listen`,
 * when given, serves the requests instead of the Stratus app (a floor to compare the app with).
 */
export interface Scenario {
  description: string;
  prepare?(ctx: AppContext): Promise<Record<string, unknown>>;
  requests(state: Record<string, unknown>): BenchRequest[];
  listen?(ctx: AppContext, state: Record<string, unknown>): Promise<string>;
}

export const scenarios: Record<string, Scenario> = {
  'health-ready': {
    description: 'GET /health/ready: a database round trip per request',
    requests: () => [{ path: '/health/ready' }],
  },
  login: {
    description:
      'POST /store/auth/login (bearer): argon2id verify + session insert + audit entry per request',
    async prepare(ctx) {
      const { identityDeps, registerCustomer } = await import('../../src/modules/identity/index.js');
      const deps = await identityDeps(ctx);
      const meta = { ip: '127.0.0.1', user_agent: 'bench', request_id: 'bench', secure: false };
      await registerCustomer(
        deps,
        { email: 'bench@example.com', password: 'load test passphrase 2026' },
        meta,
      );
      return {};
    },
    requests: () => [
      {
        method: 'POST',
        path: '/store/auth/login',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'bench@example.com',
          password: 'load test passphrase 2026',
          transport: 'bearer',
        }),
      },
    ],
  },
  'health-live': {
    description: 'GET /health/live: the platform overhead (hooks, logging, serialisation) alone',
    requests: () => [{ path: '/health/live' }],
  },
  ...catalogScenarios,
  ...storefrontScenarios,
};
