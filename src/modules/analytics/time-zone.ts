/**
 * Time-zone arithmetic with Intl only: store-local dates for sessions and daily rollups, and the UTC
 * boundaries of local days for report ranges in any IANA zone.
 */
export const HOUR_MS = 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function parts(ms: number, timeZone: string): number[] {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms))
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  return [out.year!, out.month!, out.day!, out.hour!, out.minute!, out.second!];
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds (positive east of Greenwich). */
export function offsetMs(ms: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = parts(ms, timeZone);
  const asUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return asUtc - (ms - (ms % 1000));
}

// Local dates are asked for every ingested event and every reported day: the last day per zone is
// checked first, then a memo by UTC hour (every zone's date is constant within a UTC hour, except
// zones with quarter-hour offsets, which are computed each time).
const dayCache = new Map<string, { from: number; to: number; date: string }>();
const byHour = new Map<string, string>();

/** The `YYYY-MM-DD` date in `timeZone` at instant `ms`. */
export function localDate(ms: number, timeZone: string): string {
  const cached = dayCache.get(timeZone);
  if (cached && ms >= cached.from && ms < cached.to) return cached.date;
  const hour = ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const key = `${timeZone}|${hour}`;
  let date = byHour.get(key);
  if (date === undefined) {
    const [y, mo, d] = parts(ms, timeZone);
    date = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const from = startOfLocalDay(date, timeZone);
    const to = startOfLocalDay(addDays(date, 1), timeZone);
    dayCache.set(timeZone, { from, to, date });
    // Only memoise by hour when the whole hour falls inside this local date.
    if (hour >= from && hour + HOUR_MS <= to) {
      if (byHour.size > 200_000) byHour.clear();
      byHour.set(key, date);
    }
  }
  return date;
}

const dayStarts = new Map<string, number>();

/** The UTC instant (ms) at which local `date` begins in `timeZone` (memoised: reports ask per day). */
export function startOfLocalDay(date: string, timeZone: string): number {
  const key = `${timeZone}|${date}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    start = computeStartOfLocalDay(date, timeZone);
    if (dayStarts.size > 100_000) dayStarts.clear();
    dayStarts.set(key, start);
  }
  return start;
}

function computeStartOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y!, m! - 1, d!);
  // Two rounds settle DST transitions: the offset at the guess, then at the corrected instant.
  let instant = guess - offsetMs(guess, timeZone);
  instant = guess - offsetMs(instant, timeZone);
  return instant;
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

export function hourStart(ms: number): number {
  return ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
