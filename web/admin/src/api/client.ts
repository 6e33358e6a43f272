import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

/** The CSRF token of the cookie session; sent on every unsafe request (docs/security.md). */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      request.headers.set('x-csrf-token', csrfToken);
    }
    return request;
  },
};

/** The typed admin API client: paths, parameters and bodies come from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

/** The API's error body, `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Per-field or per-row problems (a CSV import lists `{ row, line, column, message }`). */
    readonly details: Record<string, unknown>[] = [],
  ) {
    super(message);
  }
}

/** Unwraps an openapi-fetch answer: the data, or an ApiError carrying the API's own message. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const body = result.error as
      | { error?: { code?: string; message?: string; details?: Record<string, unknown>[] } }
      | undefined;
    throw new ApiError(
      result.response.status,
      body?.error?.code ?? 'HTTP_ERROR',
      body?.error?.message ?? `${result.response.status} ${result.response.statusText}`,
      body?.error?.details ?? [],
    );
  }
  return result.data;
}

/** For 204 answers (no body). */
export function ok(result: { error?: unknown; response: Response }): void {
  if (!result.response.ok) must({ ...result, data: undefined });
}
