import type { MeteringTables } from '../../modules/metering/metering.tables.js';
import type { ProbesTables } from '../../modules/probes/probes.tables.js';
import type { EventsTables } from '../events/events.tables.js';
import type { JobsTables } from '../jobs/jobs.tables.js';

/** Every table in the database; each module owns and declares its own in `<module>.tables.ts`. */
export interface Tables extends EventsTables, JobsTables, MeteringTables, ProbesTables {}
