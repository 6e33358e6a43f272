import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listDeadLetters, outboxBacklog, replayDeadLetters } from '../../platform/events/dead-letters.js';
import type { AppContext } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { backupKey, peekManifest, runBackup, storageFor, verifyBackup } from '../backups/index.js';
import { recordUsage } from '../metering/index.js';
import { SystemErrors } from './system.errors.js';

const tags = ['operations'];
const read = { permission: 'system:read' } as const;
const write = { permission: 'system:write', audited: true } as const;
const BackupName = Type.String({ pattern: '^stratus-\\d{8}T\\d{6}Z-[a-z0-9]+\\.sbk$' });
const BackupSummary = Type.Object({
  name: Type.String(),
  created_at: Type.String(),
  source_dialect: Type.String(),
  tables: Type.Integer(),
  rows: Type.Integer(),
});

/**
 * The admin API behind the admin app's system page: the outbox (depth per subscriber, dead letters
 * and their replay) and backups (list, run now, verify), the same operations as `stratus events` and
 * `stratus backup` without a shell on the server.
 */
export const systemRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const backups = () => {
    const { target, key } = ctx.config.backup;
    if (!target || !key)
      throw new AppError(SystemErrors.BACKUPS_NOT_CONFIGURED, 'Backups are not configured on this store');
    return { storage: storageFor(ctx.config.backup), key: backupKey(ctx.config, ctx.secrets.encryptionKey) };
  };

  app.get(
    '/admin/system/outbox',
    {
      config: read,
      schema: {
        tags,
        summary: 'Undelivered events per subscriber and the dead letters (newest first)',
        response: {
          200: Type.Object({
            backlog: Type.Array(
              Type.Object({
                subscriber: Type.String(),
                status: Type.String(),
                count: Type.Integer(),
                oldest: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
            dead_letters: Type.Array(
              Type.Object({
                id: Type.String(),
                event_id: Type.String(),
                topic: Type.String(),
                subscriber: Type.String(),
                attempts: Type.Integer(),
                last_error: Type.Union([Type.String(), Type.Null()]),
                updated_at: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const [backlog, dead] = await Promise.all([outboxBacklog(ctx.db), listDeadLetters(ctx.db, 200)]);
      return {
        backlog: backlog.map((row) => ({ ...row, count: Number(row.count) })),
        dead_letters: dead.map((row) => ({ ...row, attempts: Number(row.attempts) })),
      };
    },
  );

  app.post(
    '/admin/system/outbox/replay',
    {
      config: write,
      schema: {
        tags,
        summary: 'Queue dead deliveries again with a fresh attempt budget (all of them without ids)',
        body: Type.Object(
          { ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ replayed: Type.Integer() }) },
      },
    },
    async (request) => {
      const replayed = await replayDeadLetters(ctx.db, request.body.ids);
      ctx.pokeOutbox();
      return { replayed };
    },
  );

  app.get(
    '/admin/system/backups',
    {
      config: read,
      schema: {
        tags,
        summary: 'Backups in the target, newest first',
        response: { 200: Type.Object({ target: Type.String(), data: Type.Array(BackupSummary) }) },
      },
    },
    async () => {
      const { storage } = backups();
      const names = (await storage.list()).reverse();
      const data = await Promise.all(
        names.map(async (name) => {
          // Only the archive's header and trailer are read, not the archive.
          const source = await storage.openSource(name);
          const manifest = await peekManifest(source).finally(() => source.close());
          return {
            name,
            created_at: manifest.created_at,
            source_dialect: manifest.source_dialect,
            tables: manifest.tables.length,
            rows: manifest.tables.reduce((sum, t) => sum + t.rows, 0),
          };
        }),
      );
      return { target: storage.describe(), data };
    },
  );

  app.post(
    '/admin/system/backups',
    {
      config: write,
      schema: {
        tags,
        summary: 'Take a backup now (answers when it is stored)',
        response: { 201: Type.Object({ name: Type.String(), bytes: Type.Integer(), target: Type.String() }) },
      },
    },
    async (_request, reply) => {
      const { storage, key } = backups();
      const result = await runBackup(ctx.config, { storage, key });
      await recordUsage(ctx.db, 'backup_bytes', result.bytes);
      return reply.code(201).send({ name: result.name, bytes: result.bytes, target: result.target });
    },
  );

  app.post(
    '/admin/system/backups/:name/verify',
    {
      config: read,
      schema: {
        tags,
        summary: 'Test-restore a backup into a scratch database and compare it table by table',
        params: Type.Object({ name: BackupName }),
        response: {
          200: Type.Object({
            name: Type.String(),
            ok: Type.Boolean(),
            tables: Type.Array(
              Type.Object({
                name: Type.String(),
                expected_rows: Type.Integer(),
                restored_rows: Type.Integer(),
                checksum_ok: Type.Boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { storage, key } = backups();
      if (!(await storage.list()).includes(request.params.name))
        throw new AppError(SystemErrors.BACKUP_NOT_FOUND, `Backup ${request.params.name} not found`);
      return verifyBackup(ctx.config, request.params.name, { storage, key });
    },
  );
};
