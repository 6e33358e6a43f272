import { deviceClassOf, isBotUserAgent, type VisitorRateLimiter } from './bot-filter.js';
import type { EventBuffer } from './event-buffer.js';
import { type Rejection, validateEvent } from './event-model.js';
import type { BufferedEvent } from './ingest.writer.js';

export const MAX_BATCH = 100;

export interface IngestRequest {
  events: unknown[];
  visitor_id?: unknown;
  consent?: { analytics?: boolean } | undefined;
}

export interface IngestResult {
  accepted: number;
  /** Kept as cookieless counts only (no analytics consent). */
  aggregated: number;
  /** Dropped as bot traffic (user agent or rate). */
  filtered: number;
  rejected: Rejection[];
}

/**
 * Validates a batch event by event, drops bot traffic, and hands the rest to the buffer. A bad event
 * is reported with its index and reason; the others are kept.
 */
export function ingestBatch(
  body: IngestRequest,
  context: { channelId: string; userAgent: string | undefined; nowMs: number },
  limiter: VisitorRateLimiter,
  buffer: EventBuffer,
): IngestResult | Promise<IngestResult> {
  const result: IngestResult = { accepted: 0, aggregated: 0, filtered: 0, rejected: [] };
  const bot = isBotUserAgent(context.userAgent);
  const defaults = {
    visitor_id: body.visitor_id,
    analytics_consent: body.consent?.analytics !== false,
    device_class: deviceClassOf(context.userAgent),
  };
  const received = new Date(context.nowMs).toISOString();
  const clock = { now: context.nowMs, nowIso: received, maxAgeMs: 72 * 3_600_000, maxSkewMs: 5 * 60_000 };
  const keep: BufferedEvent[] = [];
  for (let index = 0; index < body.events.length; index++) {
    const checked = validateEvent(body.events[index], defaults, clock);
    if (!checked.ok) {
      result.rejected.push({ index, reason: checked.reason, message: checked.message });
      continue;
    }
    // Consentless events carry no visitor id to rate by; they only ever become counts.
    const overRate =
      checked.event.analytics_consent && !limiter.allow(checked.event.visitor_id, context.nowMs);
    if (bot || overRate) {
      result.filtered++;
      continue;
    }
    if (checked.event.analytics_consent) result.accepted++;
    else result.aggregated++;
    const buffered = checked.event as BufferedEvent;
    buffered.channel_id = context.channelId;
    buffered.received_at = received;
    keep.push(buffered);
  }
  const backpressure = buffer.push(keep);
  return backpressure ? backpressure.then(() => result) : result;
}
