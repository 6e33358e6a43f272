import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installAdmissionRounds } from './rounds.js';

/** Five requests arriving together at a handler with three steps: the order the steps ran in. */
async function stepOrder(rounds: boolean): Promise<string[]> {
  const app = Fastify();
  if (rounds) installAdmissionRounds(app);
  const log: string[] = [];
  app.get('/step', async (request) => {
    const n = Number((request.query as { n: string }).n);
    // Each step is a bit of synchronous work, then an await, like a handler's statements.
    for (const step of ['a', 'b', 'c']) {
      log.push(`${step}${n}`);
      await null;
    }
    return { n };
  });
  await app.ready();
  const answers = await Promise.all(
    // Like requests read off five sockets in one turn of the event loop: each in a callback of its
    // own, with the microtask queue drained in between.
    [0, 1, 2, 3, 4].map(
      (n) =>
        new Promise<Awaited<ReturnType<typeof app.inject>>>((resolve) =>
          setImmediate(() => resolve(app.inject({ url: `/step?n=${n}` }))),
        ),
    ),
  );
  expect(answers.map((a) => a.json().n)).toEqual([0, 1, 2, 3, 4]);
  await app.close();
  return log;
}

describe('admission rounds', () => {
  it('runs the requests that arrived together step by step, each step for the whole round', async () => {
    const order = await stepOrder(true);
    expect(order.join(' ')).toBe('a0 a1 a2 a3 a4 b0 b1 b2 b3 b4 c0 c1 c2 c3 c4');
  });

  it('is what makes the difference: admitted one by one, each request runs through on its own', async () => {
    const order = await stepOrder(false);
    expect(order.join(' ')).toBe('a0 b0 c0 a1 b1 c1 a2 b2 c2 a3 b3 c3 a4 b4 c4');
  });
});
