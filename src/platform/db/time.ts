/**
 * Every timestamp column is TEXT holding ISO-8601 UTC with milliseconds (`2026-11-26T03:11:48.123Z`),
 * in both dialects. The format is fixed-width, so string order is time order, and rows map to API
 * responses without conversion. See docs/architecture.md.
 */
export type Timestamp = string;

export function now(): Timestamp {
  return new Date().toISOString();
}

export function after(ms: number, from: number = Date.now()): Timestamp {
  return new Date(from + ms).toISOString();
}
