// Metering: usage per day (requests, CPU, storage, events, emails, backups, webhooks), the business
// counters fed by order events, and a cost model with an alert threshold, for the admin API and metrics.

import { subscribers } from '../../platform/events/subscribers.js';
import { registerJob } from '../../platform/jobs/registry.js';
import { registerMetricsProvider } from '../../platform/metrics/providers.js';
import type { StratusModule } from '../index.js';
import { addMeteringMetrics } from './metering.metrics.js';
import { meteringRoutes } from './metering.routes.js';
import { countBusinessEvent, snapshotLevels } from './metering.service.js';

export { registerActiveCartsSource } from './active-carts.js';
export { type CostReport, costForDay, type Meter } from './cost-model.js';
export { meteredMailer } from './metered-mailer.js';
export { costReport, recordUsage, snapshotLevels, UsageRecorder, usageReport } from './metering.service.js';

subscribers.register({
  name: 'metering.business',
  topics: ['order.placed', 'order.refunded'],
  handle: (event, { db }) => countBusinessEvent(db, event),
});

registerJob({
  name: 'metering.snapshot',
  schedule: '*/15 * * * *',
  run: ({ db }) => snapshotLevels(db),
});

registerMetricsProvider(addMeteringMetrics);

export const meteringModule: StratusModule = { name: 'metering', routes: meteringRoutes };
