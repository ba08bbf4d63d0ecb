/**
 * Typed domain errors. Domain and service code throws these; one middleware (lib/http/problem.ts)
 * maps them to application/problem+json. Anything else becomes a 500 that leaks nothing.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Stable machine-readable code, e.g. `INVALID_WINDOW`. Clients switch on it. */
  readonly code: string;
  /** Extra members for the problem document (RFC 9457 extension members), e.g. `errors`. */
  readonly extensions: Record<string, unknown>;

  constructor(code: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = new.target.name;
    this.code = code;
    this.extensions = extensions;
  }
}

/** 400: the request is malformed or a parameter is out of range. */
export class ValidationError extends DomainError {
  readonly status = 400;
}
/** 401: no credentials, or credentials that name no live key. */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
}
/** 403: the key is valid but may not do this. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
}
/** 404: no such resource for this tenant (also used where existence must not leak). */
export class NotFoundError extends DomainError {
  readonly status = 404;
}
/** 409: a conflicting write (stale version, duplicate unique name, reused idempotency key). */
export class ConflictError extends DomainError {
  readonly status = 409;
}
/** 413: the request body or result is larger than the documented limit. */
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
}
/** 415: a body in a media type this endpoint does not read. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  constructor(detail: string) {
    super('UNSUPPORTED_MEDIA_TYPE', detail);
  }
}
/** 422: well-formed, but nothing in it can be processed (e.g. every event of a batch rejected). */
export class UnprocessableError extends DomainError {
  readonly status = 422;
}
/** 429: too many requests for the key's configured limits. */
export class TooManyRequestsError extends DomainError {
  readonly status = 429;
}
/** 503: a dependency is unavailable; safe to retry. */
export class UnavailableError extends DomainError {
  readonly status = 503;
}
