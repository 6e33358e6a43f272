import { defineErrors } from '../../platform/http/errors.js';

export const RegionErrors = defineErrors({
  REGION_NOT_FOUND: { status: 404, description: 'No region has this id.' },
  COUNTRY_IN_OTHER_REGION: {
    status: 409,
    description: 'A country can belong to one region only; it already belongs to another.',
  },
  TAX_CLASS_NOT_FOUND: { status: 404, description: 'No tax class has this id.' },
  UNKNOWN_TAX_CLASS: { status: 400, description: 'The request refers to a tax class that does not exist.' },
  TAX_CLASS_CODE_TAKEN: { status: 409, description: 'Another tax class already uses this code.' },
});
