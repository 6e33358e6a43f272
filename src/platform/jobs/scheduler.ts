import { Cron } from 'croner';
import type { Config } from '../../config/config.js';
import type { Secrets } from '../../config/secrets.js';
import type { Db } from '../db/database.js';
import { newId } from '../db/ids.js';
import { now } from '../db/time.js';
import type { Logger } from '../logging/logger.js';
import { acquireLease, releaseLease } from './leases.js';

export interface JobContext {
  db: Db;
  logger: Logger;
  /** The process's runtime configuration and secrets (absent only in bare schedulers built by tests). */
  config?: Config;
  secrets?: Secrets;
}

/**
 * A recurring job. `schedule` is a cron expression (UTC, seconds optional) such as `0 3 * * *`.
 * Jobs must tolerate an occasional late or skipped run, and be safe to re-run.
 */
export interface JobDefinition {
  name: string;
  schedule: string;
  run(context: JobContext): Promise<void>;
}

export interface SchedulerOptions {
  db: Db;
  logger: Logger;
  jobs: JobDefinition[];
  /** Handed to every job run, so jobs read the runtime's settings rather than process.env. */
  context?: { config: Config; secrets: Secrets };
  tickMs?: number;
  leaseMs?: number;
  owner?: string;
}

const LEADER_LEASE = 'scheduler.leader';

function nextRun(schedule: string, from: Date): string {
  const next = new Cron(schedule, { paused: true, timezone: 'UTC' }).nextRun(from);
  if (!next) throw new Error(`cron schedule "${schedule}" never fires`);
  return next.toISOString();
}

/**
 * Runs jobs on exactly one node: the holder of the `scheduler.leader` lease. As a second guard, each
 * occurrence is claimed by a compare-and-set on `next_run_at`, so even two nodes that both believe
 * they lead (a lease lapsing mid-tick) cannot run the same occurrence twice.
 */
export class Scheduler {
  readonly owner: string;
  readonly #options: Required<Omit<SchedulerOptions, 'owner' | 'context'>> &
    Pick<SchedulerOptions, 'context'>;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #stopped = true;
  /** Set by stop(): no new occurrence starts, even from a manual tick. */
  #stopping = false;
  #leader = false;

  constructor(options: SchedulerOptions) {
    this.owner = options.owner ?? newId('sch');
    this.#options = { tickMs: 1000, leaseMs: 15_000, ...options };
    for (const job of options.jobs) nextRun(job.schedule, new Date()); // fail fast on a bad expression
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#stopping = false;
    const loop = () => {
      this.#tick = this.tick()
        .catch((error: unknown) => this.#options.logger.error({ err: error }, 'scheduler tick failed'))
        .finally(() => {
          this.#tick = undefined;
          if (!this.#stopped) {
            this.#timer = setTimeout(loop, this.#options.tickMs);
            this.#timer.unref();
          }
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping = true;
    clearTimeout(this.#timer);
    await this.#tick;
    if (this.#leader) await releaseLease(this.#options.db, LEADER_LEASE, this.owner);
    this.#leader = false;
  }

  /** One round: renew or take leadership, then run the jobs that are due. */
  async tick(): Promise<void> {
    const { db, jobs, leaseMs } = this.#options;
    this.#leader = await acquireLease(db, LEADER_LEASE, this.owner, leaseMs);
    if (!this.#leader || jobs.length === 0) return;
    const at = new Date();
    await db
      .insertInto('scheduled_jobs')
      .values(
        jobs.map((job) => ({
          name: job.name,
          schedule: job.schedule,
          next_run_at: nextRun(job.schedule, at),
          runs: 0,
          failures: 0,
        })),
      )
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const due = await db
      .selectFrom('scheduled_jobs')
      .select(['name', 'schedule', 'next_run_at'])
      .where('next_run_at', '<=', at.toISOString())
      .execute();
    for (const row of due) {
      const job = jobs.find((j) => j.name === row.name);
      if (job && !this.#stopping) await this.#runOccurrence(job, row.next_run_at, at);
    }
  }

  async #runOccurrence(job: JobDefinition, occurrence: string, at: Date): Promise<void> {
    const { db, logger } = this.#options;
    const claimed = await db
      .updateTable('scheduled_jobs')
      .set({ next_run_at: nextRun(job.schedule, at), schedule: job.schedule, last_started_at: now() })
      .where('name', '=', job.name)
      .where('next_run_at', '=', occurrence)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return;
    const started = Date.now();
    try {
      await job.run({ db, logger: logger.child({ job: job.name }), ...this.#options.context });
      await db
        .updateTable('scheduled_jobs')
        .set((eb) => ({
          last_status: 'ok',
          last_error: null,
          last_finished_at: now(),
          runs: eb('runs', '+', 1),
        }))
        .where('name', '=', job.name)
        .execute();
      logger.info({ job: job.name, ms: Date.now() - started }, 'job finished');
    } catch (error) {
      logger.error({ job: job.name, err: error }, 'job failed');
      await db
        .updateTable('scheduled_jobs')
        .set((eb) => ({
          last_status: 'failed',
          last_error: (error instanceof Error ? error.message : String(error)).slice(0, 2000),
          last_finished_at: now(),
          runs: eb('runs', '+', 1),
          failures: eb('failures', '+', 1),
        }))
        .where('name', '=', job.name)
        .execute();
    }
  }
}
