// GDPR: data export, erasure (anonymise, keep the financial record), consent records and retention.
// Modules holding personal data register export sections and erasure handlers here.

import { registerJob } from '../../platform/jobs/registry.js';
import type { StratusModule } from '../index.js';
import { privacyRoutes } from './privacy.routes.js';
import { runRetention } from './privacy.service.js';

export {
  type ErasureHandler,
  type ErasureSubject,
  type ExportSection,
  type RetentionHandler,
  registerErasureHandler,
  registerExportSection,
  registerRetentionHandler,
} from './privacy.hooks.js';
export { eraseCustomer, eventRetentionCutoff, exportCustomer, runRetention } from './privacy.service.js';
export type { PrivacyTables } from './privacy.tables.js';

export const privacyModule: StratusModule = { name: 'privacy', routes: privacyRoutes };

registerJob({
  name: 'privacy.retention',
  schedule: '17 3 * * *',
  run: async ({ db }) => void (await runRetention(db)),
});
