import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { costForDay } from './cost-model.js';

const prices = {
  ...loadConfig({}).costs,
  currency: 'eur',
  requestsPerMillion: 40,
  cpuHour: 4,
  dbGibDay: 1,
  eventsPerMillion: 10,
  emailsPerThousand: 10,
  backupGib: 2,
  webhooksPerThousand: 1,
  fixedPerDay: 100,
  alertPerDay: 150,
};

describe('cost model', () => {
  it('prices each meter per block and rounds once', () => {
    const report = costForDay(
      '2026-11-26',
      {
        requests: 2_000_000,
        cpu_ms: 7_200_000,
        db_bytes: 2 * 1024 ** 3,
        emails_sent: 500,
        orders: 40,
        sessions: 8000,
      },
      prices,
    );
    // 80 (requests) + 8 (2 CPU hours) + 2 (2 GiB) + 5 (emails) + 100 fixed = 195
    expect(report.total).toBe(195);
    expect(report.lines.find((l) => l.meter === 'cpu_seconds')).toEqual({
      meter: 'cpu_seconds',
      quantity: 7200,
      amount: 8,
    });
    expect(report.per_order).toBe(5); // 195 / 40 = 4.875
    expect(report.per_1000_sessions).toBe(24); // 195 * 1000 / 8000 = 24.375
    expect(report.alert).toBe(true);
  });

  it('keeps fractions of a minor unit until the total', () => {
    // 10 × 0.4 minor units of requests would round to 0 each; together they are 4.
    const report = costForDay('2026-11-26', { requests: 100_000 }, { ...prices, fixedPerDay: 0 });
    expect(report.total).toBe(4);
    expect(report.per_order).toBeNull();
    expect(report.per_1000_sessions).toBeNull();
    expect(report.alert).toBe(false);
  });

  it('raises no alert when the threshold is 0', () => {
    expect(costForDay('2026-11-26', { requests: 1e9 }, { ...prices, alertPerDay: 0 }).alert).toBe(false);
  });
});
