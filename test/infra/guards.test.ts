import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { MeterhouseFunction } from '#infra/cdk/meterhouse-function.ts';
import { constructIdFor, MeterhouseStack } from '#infra/cdk/meterhouse-stack.ts';
import type { RouteEntry } from '#lib/manifest-types.ts';
import { FIXTURE_ENTRY } from './support.ts';

// Manifest mistakes must fail synthesis with a message that names the entry, not deploy something odd.
const unbundledApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const route = (overrides: Partial<RouteEntry>): RouteEntry => ({
  method: 'GET',
  path: '/guard',
  function: 'guard',
  auth: 'platform',
  binds: [],
  ...overrides,
});
const stackWith = (routes: RouteEntry[]) =>
  new MeterhouseStack(unbundledApp(), 'Guarded', { routes, schedules: [], entryFor: () => FIXTURE_ENTRY });

describe('manifest guards', () => {
  it('derives construct ids from function names', () => {
    expect(constructIdFor('job-expired-items-sweep')).toBe('JobExpiredItemsSweep');
  });

  it('rejects a function declared by two entries', () => {
    expect(() => stackWith([route({}), route({ method: 'POST' })])).toThrow(/guard is declared twice/);
  });

  it('rejects a $default route with a method', () => {
    expect(() => stackWith([route({ path: '$default' })])).toThrow(/\$default route must use method ANY/);
  });

  it('rejects a route timeout API Gateway would cut off', () => {
    expect(() => stackWith([route({ timeoutSeconds: 31 })])).toThrow(
      /exceeds the HTTP API integration limit/,
    );
  });

  it('merges environment variables but refuses to overwrite one with another value', () => {
    const fn = new MeterhouseFunction(new Stack(unbundledApp(), 'Env'), 'Fn', {
      spec: { function: 'env', binds: [] },
      kind: 'job',
      entry: FIXTURE_ENTRY,
      environment: { FEATURE: 'on' },
    });
    expect(() => fn.addEnvironment('FEATURE', 'on')).not.toThrow();
    expect(() => fn.addEnvironment('FEATURE', 'off')).toThrow(/FEATURE is already set/);
  });
});
