import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../../src/platform/db/tables.js';

/** One unit of client work against a node, keyed so that a retry on another node is the same request. */
export interface Attempt {
  key: string;
  node: string;
  status: number;
  id?: string;
  /** When the request was sent. */
  at: number;
}

/**
 * A write workload for the scale-out test. The probe workload exists now; a checkout workload
 * (`POST /store/carts/{id}/complete` with an Idempotency-Key) plugs in the same way: `send` makes one
 * request, `verify` checks the database afterwards against what was acknowledged.
 */
export interface ClusterWorkload {
  name: string;
  send(baseUrl: string, key: string): Promise<{ status: number; id?: string }>;
  verify(db: Kysely<Tables>, acknowledged: Map<string, string>): Promise<void>;
}

/** Runs `clients` loops until `until()`; each request fails over to the next node like a balancer. */
export async function driveLoad(
  workload: ClusterWorkload,
  nodes: () => string[],
  options: { clients: number; until: () => boolean },
): Promise<{ attempts: Attempt[]; acknowledged: Map<string, string>; failed: string[] }> {
  const attempts: Attempt[] = [];
  const acknowledged = new Map<string, string>();
  const failed: string[] = [];
  let turn = 0;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (!options.until()) {
        const key = randomUUID();
        let done = false;
        for (let tries = 0; tries < 6 && !done; tries++) {
          const list = nodes();
          const node = list[turn++ % list.length]!;
          const at = Date.now();
          try {
            const result = await workload.send(node, key);
            attempts.push({
              key,
              node,
              status: result.status,
              ...(result.id ? { id: result.id } : {}),
              at,
            });
            if (result.status >= 200 && result.status < 300 && result.id) {
              acknowledged.set(key, result.id);
              done = true;
            }
          } catch {
            attempts.push({ key, node, status: 0, at });
          }
          if (!done) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        if (!done) failed.push(key);
      }
    }),
  );
  return { attempts, acknowledged, failed };
}
