import { defineErrors } from '../../platform/http/errors.js';

export const CatalogErrors = defineErrors({
  INVALID_PRODUCT: {
    status: 422,
    description:
      'The product breaks a catalog rule (variant options, media, attributes, links); `details` lists each.',
  },
  HANDLE_TAKEN: {
    status: 409,
    description: 'Another product, category or collection already uses this handle.',
  },
  SKU_TAKEN: { status: 409, description: 'Another variant already uses this SKU.' },
  VARIANT_NOT_FOUND: {
    status: 404,
    description: 'No variant has this id; `details` lists each unknown `variant_id`.',
  },
  INVALID_CATEGORY: { status: 422, description: 'The category parent is unknown or would create a cycle.' },
  CATEGORY_HAS_CHILDREN: { status: 409, description: 'The category still has child categories.' },
  CSV_INVALID: {
    status: 422,
    description:
      'The CSV import was rejected and nothing was written; `details` lists each error with its row and line.',
  },
});
