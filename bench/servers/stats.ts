// Answers bench/run.ts's `stats` message: memory, CPU time used so far (so the runner can work out
// CPU per request, which a busy machine disturbs far less than requests per second) and event-loop
// delay (whether request work such as argon2 hashing blocks the loop).
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ServerStats {
  rss: number;
  cpuMicros: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

export function answerStats(): void {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'stats') return;
    const cpu = process.cpuUsage();
    const stats: ServerStats = {
      rss: process.memoryUsage().rss,
      cpuMicros: cpu.user + cpu.system,
      loopP99Ms: loopDelay.percentile(99) / 1e6,
      loopMaxMs: loopDelay.max / 1e6,
    };
    process.send?.(stats);
  });
}
