import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

/**
 * Prefixed, time-sortable ids generated in the app: `ord_01JD3...`. The ULID part sorts by creation
 * time (millisecond precision, monotonic within a process), so keyset pagination by id is by age.
 */
export function newId(prefix: string): string {
  return `${prefix}_${next()}`;
}
