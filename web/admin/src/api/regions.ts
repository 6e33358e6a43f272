import { api, must } from './client.js';

/**
 * The shop's regions for a picker (shipping options, discount currencies). Roles that manage shipping or
 * discounts need not hold `regions:read`, so without it this reads the public storefront list, which
 * carries the same fields.
 */
export async function loadRegions(canReadRegions: boolean) {
  const query = { limit: 200 };
  const page = canReadRegions
    ? must(await api.GET('/admin/regions', { params: { query } }))
    : must(await api.GET('/store/regions', { params: { query } }));
  return page.data;
}
