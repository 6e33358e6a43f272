import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorDefinition, registeredErrorCodes } from '../src/platform/http/errors.js';
import '../src/platform/http/app.js';

describe('error registry', () => {
  const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');

  it('documents every registered error code with its status in docs/api.md', () => {
    const codes = registeredErrorCodes();
    expect(codes.length).toBeGreaterThan(10);
    const undocumented = codes.filter((code) => {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\``));
      return !row?.includes(`| ${errorDefinition(code)!.status} |`);
    });
    expect(undocumented).toEqual([]);
  });
});
