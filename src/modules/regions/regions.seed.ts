import type { Trx } from '../../platform/db/transaction.js';
import { createRegion, createTaxClass, listRegions, type Region } from './regions.service.js';

/**
 * The demo store's regions, created once (does nothing when any region exists): United States (USD,
 * tax added at checkout, 0 % default since US sales tax is per state), Europe (EUR, 21 % incl.), Poland
 * (PLN, 23 % incl., 8 % and 5 % reduced), United Kingdom (GBP, 20 % incl., books zero-rated), Japan (JPY,
 * 10 % incl.) and Kuwait (KWD, 0 %). Tax classes: `reduced`, `super-reduced`, `books`.
 */
export async function seedDefaultRegions(trx: Trx): Promise<Region[]> {
  const existing = await listRegions(trx, { limit: 1 });
  if (existing.length > 0) return listRegions(trx);
  const reduced = await createTaxClass(trx, { code: 'reduced', name: 'Reduced rate' });
  const superReduced = await createTaxClass(trx, { code: 'super-reduced', name: 'Super-reduced rate' });
  const books = await createTaxClass(trx, { code: 'books', name: 'Books' });
  const regions = [
    {
      name: 'United States',
      currency_code: 'usd',
      tax_inclusive: false,
      default_tax_rate_bp: 0,
      countries: ['us'],
    },
    {
      name: 'Europe',
      currency_code: 'eur',
      tax_inclusive: true,
      default_tax_rate_bp: 2100,
      countries: ['de', 'fr', 'nl', 'be', 'at', 'ie', 'it', 'es', 'pt', 'fi'],
      tax_overrides: [
        { tax_class_id: reduced.id, rate_bp: 900 },
        { tax_class_id: books.id, rate_bp: 600 },
      ],
    },
    {
      name: 'Poland',
      currency_code: 'pln',
      tax_inclusive: true,
      default_tax_rate_bp: 2300,
      countries: ['pl'],
      tax_overrides: [
        { tax_class_id: reduced.id, rate_bp: 800 },
        { tax_class_id: superReduced.id, rate_bp: 500 },
        { tax_class_id: books.id, rate_bp: 500 },
      ],
    },
    {
      name: 'United Kingdom',
      currency_code: 'gbp',
      tax_inclusive: true,
      default_tax_rate_bp: 2000,
      countries: ['gb'],
      tax_overrides: [
        { tax_class_id: reduced.id, rate_bp: 500 },
        { tax_class_id: books.id, rate_bp: 0 },
      ],
    },
    {
      name: 'Japan',
      currency_code: 'jpy',
      tax_inclusive: true,
      default_tax_rate_bp: 1000,
      countries: ['jp'],
    },
    { name: 'Kuwait', currency_code: 'kwd', tax_inclusive: false, default_tax_rate_bp: 0, countries: ['kw'] },
  ];
  const created: Region[] = [];
  for (const region of regions) created.push(await createRegion(trx, region));
  return created;
}
