import { describe, expect, it } from 'vitest';
import { fuzzSuite, loadOpenApi } from './fuzz-support.ts';

/**
 * Every operation of openapi.json but the registry's (registry.test.ts), fuzzed
 * (test/fuzz/fuzz-support.ts): health, ingest and the analytics families. No 5xx, every 4xx a
 * complete problem document, only documented statuses, nothing internal in any answer.
 */
const isService = (op: { operationId: string }) => !op.operationId.startsWith('registry-');

describe('the other operations', () => {
  it('are all fuzzed here', () => {
    const ids = loadOpenApi()
      .operations.filter(isService)
      .map((op) => op.operationId);
    expect(ids).toEqual(
      expect.arrayContaining(['health-ready', 'ingest-events', 'delivery-summary', 'usage-analytics-export']),
    );
  });
});

fuzzSuite('fuzzed requests to health, ingest and analytics', isService, {
  numRuns: 40,
  timeLimitMs: 1200,
  minRuns: 4,
});
