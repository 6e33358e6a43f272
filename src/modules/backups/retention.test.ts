import { describe, expect, it } from 'vitest';
import { backupsToKeep, backupTime } from './retention.js';

function name(at: Date): string {
  return `stratus-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}-x.sbk`;
}

describe('retention', () => {
  // Two backups a day for 400 days, newest on 2026-11-26.
  const end = Date.UTC(2026, 10, 26, 14);
  const backups = Array.from({ length: 800 }, (_, i) => {
    const at = new Date(end - i * 12 * 3600_000);
    return { name: name(at), at };
  });

  it('keeps 7 daily, 4 weekly and 12 monthly backups, the newest of each', () => {
    const keep = backupsToKeep(backups, { daily: 7, weekly: 4, monthly: 12 });
    const days = [...keep].map((n) => backupTime(n).toISOString().slice(0, 10)).sort();
    // 7 days (Nov 20-26, a Thursday); the 4 newest ISO weeks are those of Nov 26 and Nov 22 (both
    // already kept), then Nov 15 and Nov 8 (Sundays); months add Oct 31, Sep 30, … Dec 31 2025:
    // 7 + 2 + 11 = 20.
    expect(keep.size).toBe(20);
    expect(days.slice(-7)).toEqual([
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
    ]);
    expect(days).toContain('2026-11-15');
    expect(days).toContain('2026-11-08');
    expect(days).not.toContain('2026-11-01');
    expect(days).toContain('2025-12-31');
    expect(days).not.toContain('2025-11-30');
    // The newest backup of a kept day is the one kept (the 14:00 one, not 02:00).
    expect(keep.has(name(new Date(end)))).toBe(true);
    expect(keep.has(name(new Date(end - 12 * 3600_000)))).toBe(false);
  });

  it('parses the time out of a backup name', () => {
    expect(backupTime('stratus-20261126T033500Z-abc.sbk').toISOString()).toBe('2026-11-26T03:35:00.000Z');
    expect(() => backupTime('other.sbk')).toThrow();
  });
});
