// A floor for bench/checkout-flow.ts: the same shoppers and flow (create cart, add 3 items, set email,
// address and shipping, complete) against bare Fastify over one better-sqlite3 handle that does the
// least a correct flow must write: cart rows with a version guard, an event per change, and one
// completion transaction that claims the Idempotency-Key, reserves stock with a guarded UPDATE, records
// the movements, the payment, a sequential order number, the order and its lines. No validation,
// encryption, totals engine, rate limits, logs or metrics. What it completes per second bounds what
// any implementation on this machine can, with this client:
//   npx tsx bench/checkout-floor.ts [seconds=10] [shoppers=20] [--pin]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import { runShoppers, serverThreadCpuMs } from './checkout-shop.js';
import type { PhaseResult } from './checkout-shoppers.js';

const seconds = Number(process.argv[2] ?? 10);
const shoppers = Number(process.argv[3] ?? 20);
const dir = mkdtempSync(path.join(tmpdir(), 'stratus-checkout-floor-'));
const db = new BetterSqlite3(path.join(dir, 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  create table variants (id text primary key, title text not null, price integer not null);
  create table levels (variant_id text, location_id text, on_hand integer not null, reserved integer not null,
    primary key (variant_id, location_id), check (reserved <= on_hand));
  create table carts (id text primary key, items text not null, email text, address text, shipping text,
    status text not null, version integer not null, updated_at text not null);
  create table orders (id text primary key, number integer not null, cart_id text unique, email text,
    address text, total integer not null, created_at text not null);
  create table order_lines (id text primary key, order_id text not null, variant_id text not null,
    quantity integer not null, unit_price integer not null);
  create table payments (id text primary key, order_id text not null, amount integer not null, status text not null);
  create table movements (id text primary key, variant_id text not null, location_id text not null,
    reserved_delta integer not null, reference text not null, created_at text not null);
  create table events (id text primary key, topic text not null, payload text not null, created_at text not null);
  create table idempotency (key text primary key, status text not null, body text);
  create table counters (name text primary key, value integer not null);
  insert into counters values ('order', 1000);
`);
const variants = ['var_1', 'var_2', 'var_3'];
for (const id of variants) {
  db.prepare('insert into variants values (?, ?, 1999)').run(id, `Variant ${id}`);
  db.prepare(`insert into levels values (?, 'main', 1000000000, 0)`).run(id);
}

const q = {
  insertCart: db.prepare(`insert into carts values (?, '[]', null, null, null, 'open', 1, ?)`),
  cart: db.prepare('select * from carts where id = ?'),
  variant: db.prepare('select id, title, price from variants where id = ?'),
  available: db.prepare('select sum(on_hand - reserved) as available from levels where variant_id = ?'),
  setItems: db.prepare(
    `update carts set items = ?, version = version + 1, updated_at = ? where id = ? and version = ? and status = 'open'`,
  ),
  setDetails: db.prepare(
    `update carts set email = ?, address = ?, shipping = ?, version = version + 1, updated_at = ? where id = ? and status = 'open'`,
  ),
  event: db.prepare('insert into events values (?, ?, ?, ?)'),
  claim: db.prepare(`insert into idempotency values (?, 'started', null) on conflict do nothing`),
  reserve: db.prepare(
    `update levels set reserved = reserved + ? where variant_id = ? and location_id = 'main' and on_hand - reserved >= ?`,
  ),
  movement: db.prepare('insert into movements values (?, ?, ?, ?, ?, ?)'),
  payment: db.prepare(`insert into payments values (?, ?, ?, 'authorized')`),
  nextNumber: db.prepare(`update counters set value = value + 1 where name = 'order' returning value`),
  order: db.prepare('insert into orders values (?, ?, ?, ?, ?, ?, ?)'),
  line: db.prepare('insert into order_lines values (?, ?, ?, ?, ?)'),
  completeCart: db.prepare(`update carts set status = 'completed', updated_at = ? where id = ?`),
  answer: db.prepare(`update idempotency set status = 'done', body = ? where key = ?`),
};

interface Line {
  variant_id: string;
  title: string;
  price: number;
  quantity: number;
}
interface CartRow {
  id: string;
  items: string;
  email: string | null;
  address: string | null;
  status: string;
  version: number;
}

const inTransaction = <T>(work: () => T): T => db.transaction(work).immediate();
const totals = (items: Line[]) => {
  const subtotal = items.reduce((sum, i) => sum + i.price * i.quantity, 0);
  const tax = Math.round(subtotal * 0.08);
  return { subtotal, tax, shipping: 500, total: subtotal + tax + 500 };
};
const cartView = (row: CartRow) => {
  const items = JSON.parse(row.items) as Line[];
  return { id: row.id, status: row.status, email: row.email, items, ...totals(items) };
};
const event = (topic: string, payload: object, at: string) =>
  q.event.run(randomUUID(), topic, JSON.stringify(payload), at);

const app = Fastify({ logger: false });
app.post('/store/carts', async () => {
  const id = randomUUID();
  q.insertCart.run(id, new Date().toISOString());
  return cartView(q.cart.get(id) as CartRow);
});
app.post('/store/carts/:id/line-items', async (request, reply) => {
  const { id } = request.params as { id: string };
  const input = request.body as { variant_id: string; quantity: number };
  const cart = q.cart.get(id) as CartRow | undefined;
  const variant = q.variant.get(input.variant_id) as { id: string; title: string; price: number } | undefined;
  if (!cart || !variant) return reply.code(404).send({ code: 'NOT_FOUND' });
  const { available } = q.available.get(input.variant_id) as { available: number };
  if (available < input.quantity) return reply.code(409).send({ code: 'INSUFFICIENT_STOCK' });
  const items = [
    ...(JSON.parse(cart.items) as Line[]),
    { ...variant, variant_id: variant.id, quantity: input.quantity },
  ];
  const at = new Date().toISOString();
  const landed = inTransaction(() => {
    if (q.setItems.run(JSON.stringify(items), at, id, cart.version).changes !== 1) return false;
    event('cart.line_added', { cart_id: id, variant_id: variant.id }, at);
    return true;
  });
  if (!landed) return reply.code(409).send({ code: 'CART_CONFLICT' });
  return cartView(q.cart.get(id) as CartRow);
});
app.patch('/store/carts/:id', async (request) => {
  const { id } = request.params as { id: string };
  const input = request.body as { email: string; shipping_address: object; shipping_option_id: string };
  const at = new Date().toISOString();
  inTransaction(() => {
    q.setDetails.run(input.email, JSON.stringify(input.shipping_address), input.shipping_option_id, at, id);
    event('cart.updated', { cart_id: id }, at);
  });
  return cartView(q.cart.get(id) as CartRow);
});
app.post('/store/carts/:id/complete', async (request, reply) => {
  const { id } = request.params as { id: string };
  const key = String(request.headers['idempotency-key']);
  const body = inTransaction(() => {
    if (q.claim.run(key).changes !== 1) return null;
    const cart = q.cart.get(id) as CartRow;
    const items = JSON.parse(cart.items) as Line[];
    const at = new Date().toISOString();
    for (const item of items) {
      if (q.reserve.run(item.quantity, item.variant_id, item.quantity).changes !== 1)
        throw new Error(`out of stock: ${item.variant_id}`);
      q.movement.run(randomUUID(), item.variant_id, 'main', item.quantity, id, at);
    }
    const orderId = randomUUID();
    const { total } = totals(items);
    q.payment.run(randomUUID(), orderId, total);
    const { value: number } = q.nextNumber.get() as { value: number };
    q.order.run(orderId, number, id, cart.email, cart.address, total, at);
    for (const item of items) q.line.run(randomUUID(), orderId, item.variant_id, item.quantity, item.price);
    q.completeCart.run(at, id);
    event('order.placed', { order_id: orderId }, at);
    const answer = { order: { id: orderId, number, items, ...totals(items) } };
    q.answer.run(JSON.stringify(answer), key);
    return answer;
  });
  if (!body) return reply.code(409).send({ code: 'IDEMPOTENCY_KEY_IN_USE' });
  return body;
});
const base = await app.listen({ host: '127.0.0.1', port: 0 });

/** The same shoppers as checkout-flow.ts, in a worker thread. */
function shop(): Promise<PhaseResult> {
  return runShoppers({
    base,
    seconds,
    shoppers,
    phase: 'checkout',
    region_id: 'unused',
    variants,
    option_id: 'flat',
    address: {
      first_name: 'Ada',
      last_name: 'Floor',
      address_1: 'Street 1',
      city: 'Warsaw',
      postal_code: '00-001',
      country_code: 'pl',
    },
  });
}

try {
  const cpuBefore = serverThreadCpuMs();
  const result = await shop();
  const cpu = serverThreadCpuMs() - cpuBefore;
  const { steps: _steps, ...shown } = result;
  console.log(`floor      ${JSON.stringify(shown)}`);
  console.log(`server thread CPU µs per flow: ${Math.round((cpu * 1000) / Math.max(1, result.flows))}`);
} finally {
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
