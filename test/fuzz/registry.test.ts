import { describe, expect, it } from 'vitest';
import { fuzzSuite, loadOpenApi } from './fuzz-support.ts';

/**
 * Every registry operation of openapi.json, fuzzed (test/fuzz/fuzz-support.ts): no 5xx, every 4xx
 * a complete problem document, only documented statuses, nothing internal in any answer. Writes
 * are slower (several config-table items each), hence fewer runs than service.test.ts.
 */
const isRegistry = (op: { operationId: string }) => op.operationId.startsWith('registry-');

describe('the registry operations', () => {
  it('are all fuzzed here', () => {
    expect(loadOpenApi().operations.filter(isRegistry).length).toBeGreaterThanOrEqual(37);
  });
});

fuzzSuite('fuzzed registry requests', isRegistry, { numRuns: 20, timeLimitMs: 800, minRuns: 4 });
