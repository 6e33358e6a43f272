import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../../config/config.js';
import { newId } from '../../platform/db/ids.js';
import type { Logger } from '../../platform/logging/logger.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends transactional email. SMTP when `STRATUS_SMTP_URL` is set; otherwise an outbox directory
 * (`<data dir>/mail-outbox`, one `.eml` file per message, mode 0600) that a developer can open,
 * since the embedded default has no mail server. Messages are never written to the log.
 *
 * ```ts
 * await mailer.send({ to: 'ada@example.com', subject: 'Verify your email', text: link });
 * ```
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}

export function createOutboxMailer(dir: string, from: string, logger: Logger): Mailer {
  return {
    async send(message) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const id = newId('mail');
      const eml = `From: ${from}\r\nTo: ${message.to}\r\nSubject: ${message.subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${message.text}\r\n`;
      writeFileSync(path.join(dir, `${id}.eml`), eml, { mode: 0o600 });
      logger.info({ mail_id: id, dir }, 'mail written to the outbox directory');
    },
    close() {},
  };
}

export function createMailer(config: Config, logger: Logger): Mailer {
  return config.mail.smtpUrl
    ? createSmtpMailer(config.mail.smtpUrl, config.mail.from)
    : createOutboxMailer(path.join(config.dataDir, 'mail-outbox'), config.mail.from, logger);
}
