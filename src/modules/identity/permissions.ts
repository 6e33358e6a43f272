/** Every area an admin route can belong to; each has `<area>:read` and `<area>:write`. */
export const AREAS = [
  'catalog',
  'pricing',
  'regions',
  'inventory',
  'orders',
  'discounts',
  'payments',
  'shipping',
  'customers',
  'staff',
  'audit',
  'analytics',
  'marketing',
  'settings',
  'system',
] as const;

export type Area = (typeof AREAS)[number];

/** Export and erasure are separate from `customers:write`: support staff may edit, never export or erase. */
export const PERMISSIONS: readonly string[] = [
  ...AREAS.flatMap((area) => [`${area}:read`, `${area}:write`]),
  'customers:export',
  'customers:erase',
];

const read = (...areas: Area[]) => areas.map((a) => `${a}:read`);
const readWrite = (...areas: Area[]) => areas.flatMap((a) => [`${a}:read`, `${a}:write`]);

export interface BuiltinRole {
  id: string;
  name: string;
  description: string;
  permissions: readonly string[] | '*';
}

/** Seeded by the migration-time bootstrap (`ensureBuiltinRoles`); never editable through the API. */
export const BUILTIN_ROLES: readonly BuiltinRole[] = [
  {
    id: 'role_owner',
    name: 'owner',
    description: 'Everything, including staff and system settings.',
    permissions: '*',
  },
  {
    id: 'role_admin',
    name: 'admin',
    description: 'Everything except system operations (key rotation, backups).',
    permissions: PERMISSIONS.filter((p) => p !== 'system:write'),
  },
  {
    id: 'role_catalog_manager',
    name: 'catalog_manager',
    description: 'Products, prices, inventory; reads regions.',
    permissions: [...readWrite('catalog', 'pricing', 'inventory'), ...read('regions')],
  },
  {
    id: 'role_order_manager',
    name: 'order_manager',
    description: 'Orders, payments and shipping; reads customers, catalog and inventory.',
    permissions: [
      ...readWrite('orders', 'payments', 'shipping'),
      ...read('customers', 'catalog', 'inventory'),
    ],
  },
  {
    id: 'role_marketing',
    name: 'marketing',
    description: 'Campaigns and discounts; reads analytics, customers and catalog.',
    permissions: [...readWrite('marketing', 'discounts'), ...read('analytics', 'customers', 'catalog')],
  },
  {
    id: 'role_analyst',
    name: 'analyst',
    description: 'Read-only over business data and analytics.',
    permissions: read(
      'catalog',
      'pricing',
      'regions',
      'inventory',
      'orders',
      'discounts',
      'payments',
      'shipping',
      'customers',
      'analytics',
      'marketing',
    ),
  },
  {
    id: 'role_support',
    name: 'support',
    description:
      'Reads customers and orders (and what is needed to answer about them); no export or erasure.',
    permissions: read('customers', 'orders', 'catalog', 'shipping'),
  },
];

export function parsePermissions(stored: string): ReadonlySet<string> | '*' {
  const list = JSON.parse(stored) as string[];
  return list.includes('*') ? '*' : new Set(list);
}

/** True when `holder` has every permission in `wanted` (no one grants what they lack). */
export function coversAll(holder: ReadonlySet<string> | '*', wanted: ReadonlySet<string> | '*'): boolean {
  if (holder === '*') return true;
  if (wanted === '*') return false;
  for (const p of wanted) if (!holder.has(p)) return false;
  return true;
}
