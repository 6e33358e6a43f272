import type { AuditTables } from '../../modules/audit/audit.tables.js';
import type { IdentityTables } from '../../modules/identity/identity.tables.js';
import type { PrivacyTables } from '../../modules/privacy/privacy.tables.js';
import type { CryptoTables } from '../crypto/crypto.tables.js';
import type { EventsTables } from '../events/events.tables.js';
import type { JobsTables } from '../jobs/jobs.tables.js';

/** Every table in the database; each module owns and declares its own in `<module>.tables.ts`. */
export interface Tables
  extends EventsTables,
    JobsTables,
    CryptoTables,
    IdentityTables,
    AuditTables,
    PrivacyTables {}
