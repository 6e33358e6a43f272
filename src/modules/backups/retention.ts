/** How many of the newest daily, weekly (ISO week) and monthly backups to keep. */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * Grandfather-father-son: the newest backup of each of the last `daily` days that have one, of the
 * last `weekly` ISO weeks and of the last `monthly` months is kept; the rest may go. A backup kept
 * for any reason is kept.
 */
export function backupsToKeep(
  backups: Array<{ name: string; at: Date }>,
  policy: RetentionPolicy,
): Set<string> {
  const newestFirst = [...backups].sort((a, b) => b.at.getTime() - a.at.getTime());
  const keep = new Set<string>();
  const buckets: Array<[number, (d: Date) => string]> = [
    [policy.daily, (d) => d.toISOString().slice(0, 10)],
    [policy.weekly, isoWeek],
    [policy.monthly, (d) => d.toISOString().slice(0, 7)],
  ];
  for (const [count, bucketOf] of buckets) {
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      if (seen.size >= count) break;
      const bucket = bucketOf(backup.at);
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      keep.add(backup.name);
    }
  }
  return keep;
}

/** The time in a backup's name: `stratus-20261126T033500Z-….sbk`. */
export function backupTime(name: string): Date {
  const m = /^stratus-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(name);
  if (!m) throw new Error(`${name} is not a backup name`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}
