#!/usr/bin/env node
import { audit } from './cli/audit.js';
import { backup, restore } from './cli/backup.js';
import { events } from './cli/events.js';
import { keys } from './cli/keys.js';
import { migrate, UsageError } from './cli/migrate.js';
import { seed } from './cli/seed.js';
import { start } from './cli/start.js';
import { user } from './cli/user.js';
import { worker } from './cli/worker.js';
import { ConfigError, loadConfig } from './config/config.js';

const HELP = `stratus <command>

  start [--no-worker] [--no-seed]
                        serve the API, admin and storefront (and run the worker in-process);
                        the first start of an empty store loads the demo catalog
  seed                  load the Superstore demo catalog (once)
  worker                run outbox delivery and scheduled jobs only
  migrate [up|status]   apply or list database migrations
  events [stats|dead|replay <id...>|replay --all]
                        inspect the outbox and replay dead letters
  user create --email <email> --role <role> [--name <name>] [--password-stdin]
                        create a staff member (bootstrap the first owner with --role owner)
  keys [status|rotate [--batch <rows>] [--resume]]
                        field-encryption keys: usage per key, rotation with re-encryption
  audit verify          check the audit log's hash chain (exit 1 if edited or deleted)
  backup [run|list|verify [name]|prune]
                        encrypted snapshot to STRATUS_BACKUP_TARGET (directory or s3://)
  restore <name> [--into <url>] | --file <path> [--into <url>]
                        check a backup, then restore it into an empty database
  seed --traffic [--days N] [--sessions-per-order N]
                        demo analytics traffic built from the Superstore orders

Configuration comes from the environment: PORT, HOST, DATABASE_URL, REDIS_URL, LOG_LEVEL,
NODE_ENV, STRATUS_DATA_DIR (see README.md).`;

const commands: Record<string, (config: ReturnType<typeof loadConfig>, args: string[]) => Promise<void>> = {
  start,
  worker: (config) => worker(config),
  migrate,
  events,
  seed,
  user,
  keys,
  audit,
  backup,
  restore,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(HELP);
    return;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${HELP}`);
  await command(loadConfig(), args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof UsageError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  }
  process.exit(1);
});
