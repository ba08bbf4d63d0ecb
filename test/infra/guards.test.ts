import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { familyOf, STACK_RESOURCE_BUDGET } from '#infra/cdk/families.ts';
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

  it('assigns families in one place: every job to Jobs, routes by prefix, anything else to Core', () => {
    const job = { function: 'nightly-rollup', expression: 'rate(1 day)', description: 'A job.', binds: [] };
    expect(familyOf(job)).toBe('Jobs');
    const families = Object.fromEntries(
      [
        'registry-keys-create',
        'delivery-summary',
        'prometheus-metrics',
        'platform-usage-report',
        'usage-analytics-export',
        'developer-usage',
        'ingest-events',
        'health-live',
        'route-not-found',
        'alerts-list',
      ].map((name) => [name, familyOf(route({ function: name }))]),
    );
    expect(families).toEqual({
      'registry-keys-create': 'Registry',
      'delivery-summary': 'DeliveryAnalytics',
      'prometheus-metrics': 'DeliveryAnalytics',
      'platform-usage-report': 'PlatformMetrics',
      'usage-analytics-export': 'UsageCost',
      'developer-usage': 'DeveloperUsage',
      'ingest-events': 'Ingest',
      'health-live': 'Core',
      'route-not-found': 'Core',
      'alerts-list': 'Core',
    });
  });

  it(`fails synthesis, naming the stack and the fix, once a family reaches ${STACK_RESOURCE_BUDGET} resources`, () => {
    // Seven resources per route: 57 routes stay at 399, 58 reach 406.
    const crowd = (size: number) =>
      Array.from({ length: size }, (_, i) => route({ path: `/crowd/${i}`, function: `registry-crowd-${i}` }));
    expect(() => Template.fromStack(stackWith(crowd(57)))).not.toThrow();
    expect(() => Template.fromStack(stackWith(crowd(58)))).toThrow(
      /Guarded\/Registry holds 406 resources; a Meterhouse stack must stay under 400 .*Split the Registry family.*familyOf \(infra\/cdk\/families\.ts\)/s,
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
