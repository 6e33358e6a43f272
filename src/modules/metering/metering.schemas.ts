import { Type } from 'typebox';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A UTC day, YYYY-MM-DD' });

export const UsageQuery = Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) });
export const UsageResponse = Type.Object({
  data: Type.Array(Type.Object({ day: Type.String(), meters: Type.Record(Type.String(), Type.Number()) })),
});

export const CostQuery = Type.Object({ day: Type.Optional(Day) });
export const CostResponse = Type.Object({
  day: Type.String(),
  currency_code: Type.String(),
  lines: Type.Array(Type.Object({ meter: Type.String(), quantity: Type.Number(), amount: Type.Integer() })),
  total: Type.Integer(),
  orders: Type.Integer(),
  sessions: Type.Integer(),
  per_order: Type.Union([Type.Integer(), Type.Null()]),
  per_1000_sessions: Type.Union([Type.Integer(), Type.Null()]),
  alert_threshold: Type.Union([Type.Integer(), Type.Null()]),
  alert: Type.Boolean(),
});
