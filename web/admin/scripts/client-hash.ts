import { createHash } from 'node:crypto';
import path from 'node:path';

export const SCHEMA_FILE = path.resolve(import.meta.dirname, '../src/api/schema.d.ts');

/** The hash the generated client records, over the document's canonical JSON. */
export function documentHash(document: unknown): string {
  return createHash('sha256').update(JSON.stringify(document)).digest('hex');
}

/** The hash written in the generated file's first line, or null. */
export function recordedHash(schemaSource: string): string | null {
  return /sha256 ([0-9a-f]{64})/.exec(schemaSource.split('\n', 1)[0] ?? '')?.[1] ?? null;
}
