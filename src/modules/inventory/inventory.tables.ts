import type { Timestamp } from '../../platform/db/time.js';

/** A warehouse or shop floor stock is kept and shipped from. */
export interface StockLocationTable {
  id: string;
  name: string;
  code: string;
  /** Lower ships first when locations are otherwise equal. */
  priority: number;
  active: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StockLocationRegionTable {
  location_id: string;
  region_id: string;
}

/** Inventory policy per variant; a variant without a row is tracked, with no backorder or preorder. */
export interface InventoryItemTable {
  variant_id: string;
  tracked: number;
  allow_backorder: number;
  allow_preorder: number;
  /** `inventory.low_stock` fires when a location's availability drops to or below this. */
  low_stock_threshold: number | null;
  updated_at: Timestamp;
}

/** Counters kept equal to the ledger sums: available = on_hand − reserved. */
export interface InventoryLevelTable {
  variant_id: string;
  location_id: string;
  on_hand: number;
  reserved: number;
  updated_at: Timestamp;
}

export type ReservationStatus = 'active' | 'released' | 'committed' | 'expired';

export interface InventoryReservationTable {
  id: string;
  variant_id: string;
  location_id: string;
  quantity: number;
  status: ReservationStatus;
  reference_type: string;
  reference_id: string;
  expires_at: Timestamp | null;
  actor: string;
  reason: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type MovementKind = 'adjust' | 'reserve' | 'release' | 'expire' | 'commit' | 'restock';

/** Append-only ledger; per level, sum(on_hand_delta) = on_hand and sum(reserved_delta) = reserved. */
export interface InventoryMovementTable {
  id: string;
  variant_id: string;
  location_id: string;
  kind: MovementKind;
  on_hand_delta: number;
  reserved_delta: number;
  reason: string;
  actor: string;
  reference_type: string | null;
  reference_id: string | null;
  created_at: Timestamp;
}

export interface InventoryTables {
  stock_locations: StockLocationTable;
  stock_location_regions: StockLocationRegionTable;
  inventory_items: InventoryItemTable;
  inventory_levels: InventoryLevelTable;
  inventory_reservations: InventoryReservationTable;
  inventory_movements: InventoryMovementTable;
}
