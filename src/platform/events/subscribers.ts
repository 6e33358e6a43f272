import type { Cache } from '../cache/cache.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';

export interface DeliveredEvent<P = Record<string, unknown>> {
  id: string;
  topic: string;
  payload: P;
  created_at: string;
  /** 1 on the first try. */
  attempt: number;
}

export interface SubscriberContext {
  db: Db;
  logger: Logger;
  /** The node's cache, for subscribers that invalidate cached reads (absent in bare test dispatchers). */
  cache?: Cache;
}

/**
 * A subscriber reacts to events after their transaction commits. Delivery is at least once, so the
 * handler must be idempotent (key its writes by `event.id`). Throwing schedules a retry with backoff.
 *
 * @example
 *   subscribers.register({ name: 'analytics.purchase', topics: ['order.placed'], handle: async (e, { db }) => {...} });
 */
export interface Subscriber {
  /** Stable name: delivery rows refer to it, so renaming orphans pending deliveries. */
  name: string;
  /** Exact topics, or a prefix pattern ending in `*` (`order.*`, `*`). */
  topics: string[];
  handle(event: DeliveredEvent, context: SubscriberContext): Promise<void>;
}

export class SubscriberRegistry {
  readonly #byName = new Map<string, Subscriber>();
  readonly #byTopic = new Map<string, Subscriber[]>();

  register(subscriber: Subscriber): void {
    if (this.#byName.has(subscriber.name))
      throw new Error(`subscriber ${subscriber.name} is already registered`);
    this.#byName.set(subscriber.name, subscriber);
    this.#byTopic.clear();
  }

  get(name: string): Subscriber | undefined {
    return this.#byName.get(name);
  }

  forTopic(topic: string): Subscriber[] {
    let list = this.#byTopic.get(topic);
    if (!list) {
      list = [...this.#byName.values()].filter((s) => s.topics.some((pattern) => matches(pattern, topic)));
      this.#byTopic.set(topic, list);
    }
    return list;
  }
}

function matches(pattern: string, topic: string): boolean {
  return pattern.endsWith('*') ? topic.startsWith(pattern.slice(0, -1)) : pattern === topic;
}

/** The process-wide registry; modules register their subscribers from their index.ts. */
export const subscribers = new SubscriberRegistry();
