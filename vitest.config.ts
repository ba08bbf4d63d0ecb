import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Fails a test during which a route answered a status its OpenAPI document lacks.
    setupFiles: ['./test/support/documented-answers.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests each start their own dynalite/DuckDB; two workers fit two cores.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
