import { defineErrors } from '../../platform/http/errors.js';

export const AnalyticsErrors = defineErrors({
  INVALID_PUBLISHABLE_KEY: {
    status: 401,
    description: 'The x-publishable-key header names no active sales channel.',
  },
  INVALID_REPORT_RANGE: {
    status: 400,
    description:
      'The report range or time zone is invalid (from after to, longer than 2 years, unknown zone).',
  },
});
