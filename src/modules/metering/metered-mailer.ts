import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { recordUsage } from './metering.service.js';

/** The mailer shape metering wraps (identity's `Mailer`), kept structural so metering imports no module. */
interface Sender<M> {
  send(message: M): Promise<void>;
  close(): void;
}

/**
 * Counts `emails_sent` for every message the wrapped mailer accepted, in one place instead of at each
 * call site. A failed send is not counted; a failed count is logged and never fails the send (the mail
 * has gone out by then).
 *
 * @example
 *   const mailer = meteredMailer(createMailer(config, logger), db, logger);
 */
export function meteredMailer<M, S extends Sender<M>>(mailer: S, db: Db, logger: Logger): S {
  return {
    ...mailer,
    async send(message: M) {
      await mailer.send(message);
      await recordUsage(db, 'emails_sent', 1).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not meter a sent email'),
      );
    },
    close: () => mailer.close(),
  };
}
