import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../../src/platform/db/tables.js';

/** One HTTP request as the client saw it; retries of the same request are separate attempts. */
export interface Attempt {
  unit: string;
  node: string;
  method: string;
  path: string;
  /** 0: no HTTP answer (connection refused or reset, or the client's timeout). */
  status: number;
  /** When the request was sent. */
  at: number;
}

export interface Reply {
  status: number;
  node: string;
  body: unknown;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * What a workload sees of the cluster: a balancer-like client. Each request goes to the next live
 * node in rotation, so one shopper's flow alternates nodes. A request that gets no answer, a 502-504,
 * or IDEMPOTENCY_KEY_IN_USE is sent again to the next node with the same headers (so the same
 * Idempotency-Key): that is only safe for requests that carry one, which `request` insists on.
 */
export interface NodeClient {
  request(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  /**
   * The same request sent to two different live nodes at once (the same node twice when only one is
   * live): a client that gave up waiting and retried elsewhere while the first was still running.
   */
  hedge(method: string, path: string, options?: RequestOptions): Promise<[Reply, Reply]>;
}

/** How one unit of work ended: acknowledged with an id, or refused for a reason the workload expects. */
export type Outcome = { id: string } | { rejected: string };

/**
 * A write workload for the scale-out test. `run` does one unit of client work (one request, or a
 * whole shopper's flow) and is handed a key that stays the same if the unit is retried; `verify` checks
 * the database afterwards against what the clients were told.
 */
export interface ClusterWorkload {
  name: string;
  run(client: NodeClient, key: string): Promise<Outcome>;
  verify(db: Kysely<Tables>, result: LoadResult): Promise<void>;
}

export interface LoadResult {
  attempts: Attempt[];
  /** Unit key → the id the client was given. */
  acknowledged: Map<string, string>;
  /** Unit key → the expected refusal (e.g. INSUFFICIENT_STOCK). */
  rejected: Map<string, string>;
  /** Units that ended in anything else, with why. */
  failed: string[];
}

export interface Load {
  /** Live view while the load runs. */
  readonly result: LoadResult;
  /** Asks every client to finish its current unit and returns the outcome of the whole run. */
  stop(): Promise<LoadResult>;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const RETRIES = 10;
const TIMEOUT_MS = 20_000;

function retryable(status: number, body: unknown): boolean {
  if (status === 0 || status === 502 || status === 503 || status === 504) return true;
  const code = (body as { error?: { code?: string } } | null)?.error?.code;
  return status === 409 && code === 'IDEMPOTENCY_KEY_IN_USE';
}

/** Runs `clients` loops of `workload.run` against `nodes()` (read at every request) until stopped. */
export function startLoad(workload: ClusterWorkload, nodes: () => string[], clients: number): Load {
  const result: LoadResult = { attempts: [], acknowledged: new Map(), rejected: new Map(), failed: [] };
  let turn = 0;
  let stopping = false;

  async function once(unit: string, node: string, method: string, path: string, options: RequestOptions) {
    const at = Date.now();
    let reply: Reply;
    try {
      const res = await fetch(node + path, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const text = await res.text();
      reply = { status: res.status, node, body: text ? JSON.parse(text) : null, headers: res.headers };
    } catch {
      reply = { status: 0, node, body: null, headers: new Headers() };
    }
    result.attempts.push({ unit, node, method, path, status: reply.status, at });
    return reply;
  }

  function clientFor(unit: string): NodeClient {
    /** `first`: where the first try goes, if that node is still live; retries rotate. */
    async function request(method: string, path: string, options: RequestOptions = {}, first?: string) {
      const keyed = !UNSAFE.has(method) || Boolean(options.headers?.['idempotency-key']);
      let failedOn: string | undefined;
      for (let tries = 0; ; tries++) {
        const list = nodes();
        let node = tries === 0 && first && list.includes(first) ? first : list[turn++ % list.length]!;
        // A retry goes to another node than the one that just failed it, while there is another.
        if (node === failedOn && list.length > 1) node = list[turn++ % list.length]!;
        const reply = await once(unit, node, method, path, options);
        if (!retryable(reply.status, reply.body) || !keyed || tries + 1 >= RETRIES) return reply;
        failedOn = node;
        await new Promise((resolve) => setTimeout(resolve, 25 * (tries + 1)));
      }
    }
    return {
      request: (method, path, options) => request(method, path, options),
      hedge(method, path, options) {
        const list = nodes();
        const start = turn;
        turn += 2;
        const first = list[start % list.length]!;
        const second = list[(start + 1) % list.length]!;
        return Promise.all([request(method, path, options, first), request(method, path, options, second)]);
      },
    };
  }

  const loops = Array.from({ length: clients }, async () => {
    while (!stopping) {
      const key = randomUUID();
      try {
        const outcome = await workload.run(clientFor(key), key);
        if ('id' in outcome) result.acknowledged.set(key, outcome.id);
        else result.rejected.set(key, outcome.rejected);
      } catch (error) {
        result.failed.push(`${key}: ${(error as Error).message}`);
      }
    }
  });
  return {
    result,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return result;
    },
  };
}

/** Throws with the reply when it is not `status`, so a workload's flow reads as its happy path. */
export function expectStatus(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status)
    throw new Error(
      `${what}: ${reply.status} from ${reply.node} ${JSON.stringify(reply.body).slice(0, 300)}`,
    );
  return reply;
}

/** The error code of a reply, if it is an error. */
export function errorCode(reply: Reply): string | undefined {
  return (reply.body as { error?: { code?: string } } | null)?.error?.code;
}
