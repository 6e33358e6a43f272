/**
 * The one registry of stable error codes. Each module declares its codes with `defineErrors` in its
 * `<module>.errors.ts`; the HTTP error handler maps a code to its status here, and a test checks that
 * every registered code is documented in docs/api.md.
 */
export interface ErrorDefinition {
  status: number;
  description: string;
}

const registry = new Map<string, ErrorDefinition>();

export function defineErrors<const T extends Record<string, ErrorDefinition>>(
  definitions: T,
): { [K in keyof T]: K } {
  const codes = {} as { [K in keyof T]: K };
  for (const [code, definition] of Object.entries(definitions)) {
    const existing = registry.get(code);
    if (existing && existing.status !== definition.status)
      throw new Error(`error code ${code} is defined twice`);
    registry.set(code, definition);
    (codes as Record<string, string>)[code] = code;
  }
  return codes;
}

export function errorDefinition(code: string): ErrorDefinition | undefined {
  return registry.get(code);
}

export function registeredErrorCodes(): string[] {
  return [...registry.keys()].sort();
}

/** An expected failure with a stable code; `details` must be safe to show to the caller. */
export class AppError extends Error {
  readonly code: string;
  readonly details: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    if (!registry.has(code)) throw new Error(`unregistered error code ${code}`);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return registry.get(this.code)!.status;
  }
}

export const PlatformErrors = defineErrors({
  VALIDATION_FAILED: {
    status: 400,
    description: 'The request body, query or parameters do not match the schema.',
  },
  INVALID_JSON: { status: 400, description: 'The request body is not valid JSON.' },
  UNAUTHENTICATED: { status: 401, description: 'No valid session, token or API key was presented.' },
  FORBIDDEN: { status: 403, description: 'The caller lacks the permission this route requires.' },
  NOT_FOUND: { status: 404, description: 'The resource or route does not exist.' },
  METHOD_NOT_ALLOWED: { status: 405, description: 'The route exists but not for this HTTP method.' },
  CONFLICT: { status: 409, description: 'The request conflicts with the current state of the resource.' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    description: 'The Idempotency-Key was already used with a different request body.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body exceeds the configured limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The Content-Type is not accepted by this route.' },
  RATE_LIMITED: { status: 429, description: 'Too many requests; retry after the time in Retry-After.' },
  INTERNAL: {
    status: 500,
    description: 'An unexpected error; the response carries an id to find it in the logs.',
  },
  REQUEST_TIMEOUT: { status: 408, description: 'The request took longer than the configured timeout.' },
  SERVICE_UNAVAILABLE: { status: 503, description: 'The node is draining or a dependency is unreachable.' },
});
