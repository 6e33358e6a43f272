// Inventory: stock per variant per location, reservations with expiry, the movement ledger, multi-location
// allocation and low-stock events. Reservation is atomic and never oversells, on SQLite and PostgreSQL.
import { registerJob } from '../../platform/jobs/registry.js';
import type { StratusModule } from '../index.js';
import { inventoryRoutes } from './inventory.routes.js';
import { expireReservations } from './reservations.service.js';

export { type Allocation, type PlanLine, type PlanLocation, planAllocation } from './allocation.js';
export { InventoryErrors } from './inventory.errors.js';
export { ensureDefaultStockLocation } from './inventory.seed.js';
export type { InventoryTables } from './inventory.tables.js';
export {
  createStockLocation,
  getStockLocation,
  type StockLocation,
  type StockLocationInput,
  updateStockLocation,
} from './locations.service.js';
export {
  commit,
  expireReservations,
  type Reservation,
  type ReserveInput,
  type ReserveResult,
  release,
  reserve,
  restock,
  type Shortage,
} from './reservations.service.js';
export {
  type AdjustInput,
  type Availability,
  adjustStock,
  availability,
  getInventoryItems,
  type InventoryItem,
  type Level,
  setInventoryItem,
  setStockLevel,
} from './stock.service.js';

registerJob({
  name: 'inventory.expire-reservations',
  schedule: '* * * * *',
  run: async ({ db, logger }) => {
    const expired = await expireReservations(db);
    if (expired > 0) logger.info({ expired }, 'expired inventory reservations');
  },
});

export const inventoryModule: StratusModule = { name: 'inventory', routes: inventoryRoutes };
