import type { Timestamp } from '../../platform/db/time.js';

export interface RegionTable {
  id: string;
  name: string;
  /** Lower-case ISO 4217, one per region. */
  currency_code: string;
  /** 1: prices include tax (EU B2C); 0: tax is added on top (US). */
  tax_inclusive: number;
  /** Basis points: 2300 = 23 %. */
  default_tax_rate_bp: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RegionCountryTable {
  /** Lower-case ISO 3166-1 alpha-2. */
  country_code: string;
  region_id: string;
}

export interface TaxClassTable {
  id: string;
  code: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A region's rate for one tax class, overriding its default rate (reduced VAT, zero-rated books). */
export interface RegionTaxRateTable {
  region_id: string;
  tax_class_id: string;
  rate_bp: number;
}

export interface RegionsTables {
  regions: RegionTable;
  region_countries: RegionCountryTable;
  tax_classes: TaxClassTable;
  region_tax_rates: RegionTaxRateTable;
}
