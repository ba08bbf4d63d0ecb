import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '#lib/domain/errors.ts';
import { MethodNotAllowedError, toProblem } from '#lib/http/problem.ts';

describe('the one error mapper', () => {
  it.each([
    [new ValidationError('INVALID_WINDOW', 'bad window'), 400, 'Invalid time window'],
    [new UnauthorizedError('MISSING_API_KEY', 'no key'), 401, 'Unauthorized'],
    [new ForbiddenError('INSUFFICIENT_ROLE', 'wrong role'), 403, 'Forbidden'],
    [new NotFoundError('OPERATOR_NOT_FOUND', 'no such operator'), 404, 'Not found'],
    [new MethodNotAllowedError('DELETE', ['GET', 'POST']), 405, 'Method not allowed'],
    [new ConflictError('VERSION_CONFLICT', 'stale'), 409, 'Conflict'],
    [new PayloadTooLargeError('PAYLOAD_TOO_LARGE', 'too big'), 413, 'Payload too large'],
    [new UnsupportedMediaTypeError('send JSON'), 415, 'Unsupported media type'],
    [
      new UnprocessableError('NO_EVENT_ACCEPTED', 'nothing accepted', { accepted: 0 }),
      422,
      'Unprocessable content',
    ],
  ])('maps %s to its status with every RFC 9457 member', (error, status, title) => {
    const problem = toProblem(error, '/v1/x', 'req-1');
    expect(problem).toMatchObject({
      type: `https://meterhouse.dev/problems/${error.code}`,
      title,
      status,
      code: error.code,
      detail: error.message,
      instance: '/v1/x',
      requestId: 'req-1',
      ...error.extensions,
    });
  });

  it('names each unknown member of a strict object', () => {
    const result = z.strictObject({ a: z.string() }).safeParse({ a: 'x', b: 1, c: 2 });
    expect(result.success).toBe(false);
    const problem = toProblem(result.error, '/v1/x', 'req-2');
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(problem.errors).toEqual([
      { in: 'body', name: 'b', message: 'unknown field' },
      { in: 'body', name: 'c', message: 'unknown field' },
    ]);
  });

  it('keeps 4xx errors of middy middlewares and hides everything else behind a 500', () => {
    const httpError = Object.assign(new Error('Forbidden key'), { statusCode: 403, expose: true });
    expect(toProblem(httpError, '/x', 'r')).toMatchObject({ status: 403, detail: 'Forbidden key' });
    const crash = Object.assign(new Error('ECONNREFUSED 10.0.0.7:5432 user=admin'), { statusCode: 502 });
    const problem = toProblem(crash, '/x', 'r-9');
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', title: 'Internal server error' });
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|admin/);
    expect(problem.detail).toContain('r-9');
    expect(toProblem('a thrown string', '/x', 'r')).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});
