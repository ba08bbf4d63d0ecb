import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZodError, type z } from 'zod';
import { DomainError } from '../domain/errors.ts';

/** RFC 9457 problem document, as in contracts/delivery-analytics-api.txt, plus extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = process.env.PROBLEM_TYPE_BASE ?? 'https://meterhouse.dev/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Titles for codes that deserve a more specific one than their status's. */
const CODE_TITLES: Record<string, string> = {
  INVALID_WINDOW: 'Invalid time window',
  VALIDATION_FAILED: 'Invalid request parameters',
  MALFORMED_JSON: 'Malformed JSON body',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  instance: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    type: `${TYPE_BASE}${code}`,
    title: CODE_TITLES[code] ?? TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    instance,
    ...extensions,
  };
}

export function problemResponse(
  body: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(body),
  };
}

export interface ValidationIssue {
  in: 'query' | 'path' | 'body' | 'header';
  name: string;
  /**
   * Present when the value's fault has a stable code of its own: INVALID_TIME for a malformed or
   * impossible date or time (lib/contracts/calendar.ts), the code ingest rejects an event's `time` with.
   */
  code?: string;
  message: string;
}

export function zodIssues(error: z.ZodError, location: ValidationIssue['in']): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const prefix = issue.path.map(String);
    // An unknown member is named itself, not by the object that holds it.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        in: location,
        name: [...prefix, key].join('.'),
        message: `unknown ${location === 'body' ? 'field' : 'parameter'}`,
      }));
    }
    const name = prefix.length > 0 ? prefix.join('.') : location;
    const code = issue.code === 'custom' ? issue.params?.code : undefined;
    return [
      typeof code === 'string'
        ? { in: location, name, code, message: issue.message }
        : { in: location, name, message: issue.message },
    ];
  });
}

/** The error thrown by the validation middleware: a 400 naming every offending parameter. */
export class RequestValidationError extends DomainError {
  readonly status = 400;
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    const first = issues[0];
    const detail = first
      ? `${first.in} parameter '${first.name}': ${first.message}` +
        (issues.length > 1 ? ` (and ${issues.length - 1} more)` : '')
      : 'The request is invalid';
    super('VALIDATION_FAILED', detail, { errors: issues });
    this.issues = issues;
  }
}

interface HttpLikeError {
  statusCode: number;
  expose?: boolean;
  message: string;
  cause?: { package?: string };
}

function isHttpLikeError(error: unknown): error is HttpLikeError {
  return (
    error instanceof Error &&
    typeof (error as unknown as Partial<HttpLikeError>).statusCode === 'number' &&
    (error as unknown as HttpLikeError).statusCode >= 400
  );
}

/**
 * The one place errors become problem documents. Domain errors and 4xx errors from middy's own
 * middlewares keep their message; everything else is a 500 whose detail names only the request id.
 */
export function toProblem(error: unknown, instance: string, requestId: string): Problem {
  if (error instanceof DomainError) {
    return problem(error.status, error.code, error.message, instance, { ...error.extensions, requestId });
  }
  if (error instanceof ZodError) {
    const issues = zodIssues(error, 'body');
    return toProblem(new RequestValidationError(issues), instance, requestId);
  }
  if (isHttpLikeError(error) && error.statusCode < 500) {
    if (error.cause?.package === '@middy/http-json-body-parser' && error.statusCode === 422) {
      return problem(400, 'MALFORMED_JSON', 'The request body is not valid JSON', instance, { requestId });
    }
    if (error.statusCode === 415) {
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json', instance, {
        requestId,
      });
    }
    const code = (TITLES[error.statusCode] ?? 'ERROR').toUpperCase().replaceAll(' ', '_');
    return problem(error.statusCode, code, error.message, instance, { requestId });
  }
  return problem(
    500,
    'INTERNAL',
    `An unexpected error occurred. Quote request id ${requestId} when reporting it.`,
    instance,
    { requestId },
  );
}

/** 405 for a path that exists under other methods; the error mapper turns `allow` into the Allow header. */
export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly allow: string;
  constructor(method: string, allowed: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `${method} is not supported here; use ${allowed.join(', ')}`, { allowed });
    this.allow = allowed.join(', ');
  }
}
