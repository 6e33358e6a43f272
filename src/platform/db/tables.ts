import type { AnalyticsTables } from '../../modules/analytics/analytics.tables.js';
import type { EventsTables } from '../events/events.tables.js';
import type { JobsTables } from '../jobs/jobs.tables.js';

/** Every table in the database; each module owns and declares its own in `<module>.tables.ts`. */
export interface Tables extends EventsTables, JobsTables, AnalyticsTables {}
