import type { Config } from '../../config/config.js';
import type { Secrets } from '../../config/secrets.js';
import { type FieldCrypto, fieldCrypto } from '../../platform/crypto/field-crypto.js';
import type { Db } from '../../platform/db/database.js';
import type { AppContext } from '../../platform/http/context.js';
import type { Logger } from '../../platform/logging/logger.js';
import { setAuditIpKey } from '../audit/index.js';
import { meteredMailer } from '../metering/index.js';
import { createMailer, type Mailer } from './mailer.js';
import { ensureBuiltinRoles } from './roles.service.js';

/** What identity use cases need, built once per app context. */
export interface IdentityDeps {
  db: Db;
  config: Config;
  secrets: Secrets;
  crypto: FieldCrypto;
  mailer: Mailer;
  logger: Logger;
}

const built = new WeakMap<AppContext, Promise<IdentityDeps>>();

export function identityDeps(ctx: AppContext): Promise<IdentityDeps> {
  let deps = built.get(ctx);
  if (!deps) {
    deps = fieldCrypto(ctx.db, ctx.secrets).then(async (crypto) => {
      await ensureBuiltinRoles(ctx.db);
      setAuditIpKey(Buffer.from(crypto.blindIndex('audit ip key', ''), 'base64url'));
      return {
        db: ctx.db,
        config: ctx.config,
        secrets: ctx.secrets,
        crypto,
        // Every mail sent counts toward the `emails_sent` meter (FinOps).
        mailer: meteredMailer(createMailer(ctx.config, ctx.logger), ctx.db, ctx.logger),
        logger: ctx.logger,
      };
    });
    deps.catch(() => built.delete(ctx));
    built.set(ctx, deps);
  }
  return deps;
}

/** Request facts that go into audit entries and sessions. */
export interface RequestMeta {
  ip: string;
  user_agent: string | null;
  request_id: string;
  secure: boolean;
}
