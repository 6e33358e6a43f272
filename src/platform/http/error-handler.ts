import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, PlatformErrors } from './errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function body(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Fastify's own error codes that are the caller's fault, mapped to ours. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: PlatformErrors.INVALID_JSON,
  FST_ERR_CTP_EMPTY_JSON_BODY: PlatformErrors.INVALID_JSON,
  FST_ERR_CTP_BODY_TOO_LARGE: PlatformErrors.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: PlatformErrors.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: PlatformErrors.VALIDATION_FAILED,
  FST_ERR_VALIDATION: PlatformErrors.VALIDATION_FAILED,
  ERR_ASSERTION: PlatformErrors.VALIDATION_FAILED,
};

/**
 * The single mapper from thrown errors to HTTP responses. Known codes keep their message; anything
 * else becomes a generic 500 whose id (the request id) leads to the logged stack, which never leaks.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return reply.status(error.status).send(body(error.code, error.message, error.details));
    }
    if (error.validation) {
      const details = error.validation.map((v) => ({
        field: `${error.validationContext ?? ''}${v.instancePath}`.replace(/\//g, '.'),
        message: v.message,
      }));
      return reply
        .status(400)
        .send(body(PlatformErrors.VALIDATION_FAILED, 'Request validation failed', details));
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      return reply.status(status).send(body(mapped, error.message));
    }
    if (error.statusCode === 429) {
      return reply.status(429).send(body(PlatformErrors.RATE_LIMITED, error.message));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ err: error }, 'client error');
      return reply.status(error.statusCode).send(body(PlatformErrors.VALIDATION_FAILED, error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(500)
      .send(body(PlatformErrors.INTERNAL, `Internal error; quote id ${request.id} when reporting it`));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(body(PlatformErrors.NOT_FOUND, `Route ${request.method} ${request.url.split('?')[0]} not found`));
  });
}
