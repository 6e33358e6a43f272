// The append-only, hash-chained audit log of admin and API-key mutations and authentication events.
// Other modules record with `recordAudit(trx, actor, entry)` inside their use case's transaction.
import type { StratusModule } from '../index.js';
import { installMutationAudit } from './audit.hooks.js';
import { auditRoutes } from './audit.routes.js';

export {
  type AuditActor,
  type AuditEntry,
  recordAudit,
  recordAuditNow,
  redact,
  setAuditIpKey,
  systemActor,
  verifyAuditChain,
} from './audit.service.js';
export type { AuditTables } from './audit.tables.js';

export const auditModule: StratusModule = { name: 'audit', routes: auditRoutes, hooks: installMutationAudit };
