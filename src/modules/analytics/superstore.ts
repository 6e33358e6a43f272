import { readFileSync } from 'node:fs';

/** One Superstore order with its lines, money in cents. */
export interface SuperstoreOrder {
  order_id: string;
  date: string;
  customer_id: string;
  segment: string;
  region: string;
  lines: { product_id: string; name: string; category: string; quantity: number; unit_price: number }[];
}

/** RFC 4180 rows (quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export const SUPERSTORE_PATH = new URL('../../../datasets/superstore.csv', import.meta.url);

/** Orders from the Superstore CSV (see datasets/PROVENANCE.md), oldest first. */
export function loadSuperstore(path: URL | string = SUPERSTORE_PATH): SuperstoreOrder[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  const col = (name: string) => header!.indexOf(name);
  const [id, date, customer, segment, region, product, category, name, sales, quantity] = [
    'Order ID',
    'Order Date',
    'Customer ID',
    'Segment',
    'Region',
    'Product ID',
    'Sub-Category',
    'Product Name',
    'Sales',
    'Quantity',
  ].map(col);
  const orders = new Map<string, SuperstoreOrder>();
  for (const r of rows) {
    if (r.length < header!.length) continue;
    const [m, d, y] = r[date!]!.split('/').map(Number);
    let order = orders.get(r[id!]!);
    if (!order) {
      order = {
        order_id: r[id!]!,
        date: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
        customer_id: r[customer!]!,
        segment: r[segment!]!,
        region: r[region!]!,
        lines: [],
      };
      orders.set(order.order_id, order);
    }
    const qty = Number(r[quantity!]);
    order.lines.push({
      product_id: r[product!]!,
      name: r[name!]!,
      category: r[category!]!,
      quantity: qty,
      unit_price: Math.max(1, Math.round((Number(r[sales!]) * 100) / qty)),
    });
  }
  return [...orders.values()].sort(
    (a, b) => a.date.localeCompare(b.date) || a.order_id.localeCompare(b.order_id),
  );
}
