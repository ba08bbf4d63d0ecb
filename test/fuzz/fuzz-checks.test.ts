import { describe, expect, it } from 'vitest';
import {
  type Answer,
  type FuzzRequest,
  faultsOf,
  loadOpenApi,
  percentEncode,
  servedBy,
} from './fuzz-support.ts';

/** The fuzz suite's oracle, on answers made up to break each rule: a fuzz that cannot fail proves nothing. */
const api = loadOpenApi();
const get = (target: string, sent: string[] = []): FuzzRequest => ({
  method: 'GET',
  target,
  headers: {},
  sent,
});
const problem = (status: number, extra: Record<string, unknown> = {}): Answer => ({
  status,
  contentType: 'application/problem+json',
  text: JSON.stringify({
    type: 'https://meterhouse.dev/problems/X',
    title: 'T',
    status,
    code: 'X',
    detail: 'd',
    instance: '/',
    requestId: 'r',
    ...extra,
  }),
});

describe('the fuzz oracle', () => {
  it('passes a complete, documented problem and a plain success', () => {
    expect(faultsOf(api, get('/platform-api/operators/x'), problem(404))).toEqual([]);
    const ok: Answer = { status: 200, contentType: 'application/json', text: '{"status":"ok"}' };
    expect(faultsOf(api, get('/health/live'), ok)).toEqual([]);
  });

  it('fails a 5xx, and a status the document does not list for the operation', () => {
    expect(faultsOf(api, get('/platform-api/operators/x'), problem(500))).toEqual(['answered 500']);
    expect(faultsOf(api, get('/platform-api/settings'), problem(422))).toEqual([
      '422 is not among the statuses openapi.json lists for registry-settings-get',
    ]);
  });

  it('judges a request by the route that serves it once dot segments are resolved', () => {
    const escaped = get('/platform-api/operators/%2e%2e/x');
    expect(servedBy(escaped)).toBe('route-not-found');
    expect(faultsOf(api, escaped, problem(404))).toEqual([]);
    expect(faultsOf(api, escaped, problem(401))).toEqual([
      '401 is not among the statuses openapi.json lists for route-not-found',
    ]);
  });

  it('fails a 4xx that is not a complete problem document', () => {
    const target = '/platform-api/operators/x';
    expect(faultsOf(api, get(target), { status: 404, contentType: 'text/html', text: 'no' })).toEqual([
      'a 404 as text/html',
    ]);
    expect(faultsOf(api, get(target), problem(404, { requestId: undefined }))).toEqual([
      'a problem without requestId',
    ]);
    expect(faultsOf(api, get(target), problem(404, { status: 400 }))).toEqual([
      'a problem whose status is 400',
    ]);
  });

  it('fails stack traces, source paths and SQL, but not an echo of what was sent', () => {
    const target = '/platform-api/operators/x';
    const leak = (detail: string) => faultsOf(api, get(target), problem(404, { detail }));
    expect(leak('TypeError: x\n    at run (/work/main/lib/a.ts:3:1)')).toEqual([
      'shows a stack trace',
      'shows a source path',
    ]);
    expect(leak('near node_modules/@duckdb')).toContain('shows a source path');
    expect(leak('SELECT count(*) FROM events WHERE tenant = 1')).toContain('shows SQL');
    const sql = '1; SELECT * FROM events';
    const echoed = get(`${target}?q=${percentEncode(sql)}`, [sql]);
    expect(faultsOf(api, echoed, problem(404, { detail: `unknown id '${sql}'` }))).toEqual([]);
  });
});
