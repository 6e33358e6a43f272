import { AppError } from '../../platform/http/errors.js';
import { AnalyticsErrors } from './analytics.errors.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import { DIMENSIONS } from './dimensions.js';
import type { DimensionFilter } from './facts.js';
import type { ReportRange } from './kpi.service.js';
import { addDays, isValidTimeZone, localDate, startOfLocalDay } from './time-zone.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_RANGE_MS = 732 * 24 * 3_600_000;

function bad(message: string, field: string): AppError {
  return new AppError(AnalyticsErrors.INVALID_REPORT_RANGE, message, [{ field, message }]);
}

/**
 * `from`/`to` as local dates in `tz` (`to` inclusive) or ISO instants (`to` exclusive). Without them,
 * the last 7 local days including today.
 */
export function parseRange(
  query: { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
  settings: AnalyticsSettings,
  nowMs = Date.now(),
): ReportRange {
  const timeZone = query.tz ?? settings.timeZone;
  if (!isValidTimeZone(timeZone)) throw bad(`unknown time zone ${timeZone}`, 'query.tz');
  const instant = (value: string, field: string, end: boolean): number => {
    if (DATE.test(value)) {
      if (Number.isNaN(Date.parse(value))) throw bad(`${value} is not a date`, field);
      return startOfLocalDay(end ? addDays(value, 1) : value, timeZone);
    }
    const ms = Date.parse(value);
    if (Number.isNaN(ms) || !value.includes('T'))
      throw bad(`${field} must be YYYY-MM-DD or an ISO date-time`, field);
    return ms;
  };
  const today = localDate(nowMs, timeZone);
  const to = query.to ? instant(query.to, 'query.to', true) : startOfLocalDay(addDays(today, 1), timeZone);
  const from = query.from
    ? instant(query.from, 'query.from', false)
    : startOfLocalDay(addDays(today, -6), timeZone);
  if (from >= to) throw bad('from must be before to', 'query.from');
  if (to - from > MAX_RANGE_MS) throw bad('a range may span at most two years', 'query.to');
  return { from, to, timeZone };
}

export function filterOf(query: Record<string, unknown>): DimensionFilter {
  const filter: DimensionFilter = {};
  for (const d of DIMENSIONS) if (typeof query[d] === 'string') filter[d] = query[d] as string;
  return filter;
}

export function rangeOut(range: ReportRange) {
  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    time_zone: range.timeZone,
  };
}
