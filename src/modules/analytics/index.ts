// Behaviour tracking and commerce analytics: GA4-style events, sessions, identity linking, KPIs,
// funnels, hourly/daily rollups and the admin reports built on them.

import { subscribers } from '../../platform/events/subscribers.js';
import { registerJob } from '../../platform/jobs/registry.js';
import type { StratusModule } from '../index.js';
import {
  eventRetentionCutoff,
  registerErasureHandler,
  registerExportSection,
  registerRetentionHandler,
} from '../privacy/index.js';
import { analyticsRoutes } from './analytics.routes.js';
import { analyticsSettings } from './analytics.settings.js';
import { commerceSubscribers } from './commerce.subscribers.js';
import { exportBehaviour } from './export.js';
import { unlinkCustomer } from './identity.js';
import { purgeExpired } from './retention.js';
import { runRollup } from './rollup.service.js';

export { type AnalyticsSettings, analyticsSettings, setAnalyticsSettings } from './analytics.settings.js';
export { analyticsGauges, type Gauge, renderGauges } from './metrics.js';
export { type PublishableKeyResolver, setPublishableKeyResolver } from './publishable-key.js';
export { purgeExpired } from './retention.js';
export { runRollup } from './rollup.service.js';

for (const subscriber of commerceSubscribers()) subscribers.register(subscriber);

registerErasureHandler({ name: 'analytics', erase: (trx, customerId) => unlinkCustomer(trx, customerId) });
// The customer's behaviour (visitors, sessions, events linked to them) in their GDPR export.
registerExportSection({ name: 'events', collect: (db, customerId) => exportBehaviour(db, customerId) });

registerJob({
  name: 'analytics.rollup',
  schedule: '*/5 * * * *',
  run: async ({ db, logger }) => {
    const run = await runRollup(db, analyticsSettings());
    logger.info(run, 'analytics rollup');
  },
});

// One retention rule for both runs (this daily job and `privacy.retention`): the owner's
// `event_retention_days` setting when stored, else STRATUS_ANALYTICS_RETENTION_MONTHS.
registerRetentionHandler({
  name: 'analytics',
  purge: async (db, { eventCutoff }) => {
    const purged = await purgeExpired(db, analyticsSettings(), Date.now(), eventCutoff ?? undefined);
    return purged.events + purged.sessions + purged.visitors;
  },
});

registerJob({
  name: 'analytics.retention',
  schedule: '41 2 * * *',
  run: async ({ db, logger }) => {
    const cutoff = (await eventRetentionCutoff(db)) ?? undefined;
    const purged = await purgeExpired(db, analyticsSettings(), Date.now(), cutoff);
    logger.info(purged, 'analytics retention purge');
  },
});

export const analyticsModule: StratusModule = { name: 'analytics', routes: analyticsRoutes };
