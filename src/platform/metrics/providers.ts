import type { Config } from '../../config/config.js';
import type { Database } from '../db/database.js';
import type { Metrics } from './metrics.js';

export interface MetricsProviderContext {
  metrics: Metrics;
  database: Database;
  config: Config;
}

/** Adds a module's metric families to a runtime's registry (gauges read at scrape time, say). */
export type MetricsProvider = (context: MetricsProviderContext) => void;

const providers: MetricsProvider[] = [];

/** Modules register their metric families from their index.ts, as they register jobs. */
export function registerMetricsProvider(provider: MetricsProvider): void {
  providers.push(provider);
}

export function metricsProviders(): MetricsProvider[] {
  return [...providers];
}
