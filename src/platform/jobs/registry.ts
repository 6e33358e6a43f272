import type { JobDefinition } from './scheduler.js';

const registered = new Map<string, JobDefinition>();

/** Modules register their recurring jobs from their index.ts; the scheduler runs them on one node. */
export function registerJob(job: JobDefinition): void {
  if (registered.has(job.name)) throw new Error(`job ${job.name} is already registered`);
  registered.set(job.name, job);
}

export function registeredJobs(): JobDefinition[] {
  return [...registered.values()];
}
