import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/platform/http/openapi-document.js';
import { documentHash, recordedHash, SCHEMA_FILE } from '../../web/admin/scripts/client-hash.js';

// The admin app's typed client is generated from the server's OpenAPI document. The generator is
// deterministic, so a client generated from a different document is stale: regenerate it.
describe('admin API client', () => {
  it('was generated from the OpenAPI document the server builds now (npm run gen:admin-client)', async () => {
    const current = documentHash(await openApiDocument());
    const recorded = recordedHash(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(recorded, 'web/admin/src/api/schema.d.ts is stale: run npm run gen:admin-client').toBe(current);
  });
});
