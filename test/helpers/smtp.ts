import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string[];
  raw: string;
}

/** A real SMTP server on a free local port that keeps every message it receives. */
export async function startSmtpServer(): Promise<{
  url: string;
  mails: CapturedMail[];
  close(): Promise<void>;
  waitFor(to: string, count?: number): Promise<CapturedMail[]>;
}> {
  const mails: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    async waitFor(to, count = 1) {
      for (let i = 0; i < 100; i++) {
        const found = mails.filter((m) => m.to.includes(to));
        if (found.length >= count) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no mail for ${to}`);
    },
  };
}

/** The token in the first `token=` link of a message (quoted-printable soft breaks undone). */
export function tokenFrom(mail: CapturedMail): string {
  const body = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = /token=([A-Za-z0-9_.-]+)/.exec(body);
  if (!match) throw new Error('no token in mail');
  return match[1]!;
}
