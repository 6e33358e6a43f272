import { defineErrors } from '../../platform/http/errors.js';

export const SystemErrors = defineErrors({
  BACKUPS_NOT_CONFIGURED: {
    status: 409,
    description: 'Backups need STRATUS_BACKUP_TARGET and STRATUS_BACKUP_KEY (docs/operations.md).',
  },
  BACKUP_NOT_FOUND: { status: 404, description: 'No backup with that name in the backup target.' },
});
