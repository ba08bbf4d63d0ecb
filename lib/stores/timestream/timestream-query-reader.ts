import { DescribeEndpointsCommand, type TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { compileQuery, shapeRows } from '../../query/compile.ts';
import { timestreamDialect } from '../../query/dialect.ts';
import type { QueryRow, QuerySpec } from '../../query/spec.ts';
import type { TimestreamRow } from './query-result.ts';
import { PING_RETRY_POLICY, type RetryInjection, retryInjection, withRetry } from './retry.ts';
import { runTimestreamQuery, TIMESTREAM_QUERY_UNAVAILABLE } from './run-query.ts';

/** `sleep`, `random` and `retry` are injectable for tests; real timers otherwise. */
export interface TimestreamQueryReaderOptions extends RetryInjection {
  client: TimestreamQueryClient;
  database: string;
  table: string;
}

/**
 * The query half of the Timestream store (timestream-time-series-store.ts), on the query API's
 * client only, so a function that only reads bundles no write client.
 */
export class TimestreamQueryReader {
  readonly #options: TimestreamQueryReaderOptions;

  constructor(options: TimestreamQueryReaderOptions) {
    this.#options = options;
  }

  async query(spec: QuerySpec): Promise<QueryRow[]> {
    const compiled = compileQuery(spec, timestreamDialect(this.#options.database, this.#options.table));
    const rows = await this.runSql(compiled.sql);
    return shapeRows(compiled, rows);
  }

  /** Runs one SQL statement with full paging and ColumnInfo-driven parsing (also used by tests). */
  runSql(sql: string): Promise<TimestreamRow[]> {
    return runTimestreamQuery({ client: this.#options.client, ...retryInjection(this.#options) }, sql);
  }

  /**
   * DescribeEndpoints proves credentials and that the query endpoint answers, without running
   * (and paying for) a query; every Timestream client needs timestream:DescribeEndpoints anyway.
   */
  async ping(): Promise<void> {
    const { client, sleep, random } = this.#options;
    await withRetry(() => client.send(new DescribeEndpointsCommand({})), {
      policy: PING_RETRY_POLICY,
      ...retryInjection({ sleep, random }),
      operation: 'Timestream DescribeEndpoints',
      code: TIMESTREAM_QUERY_UNAVAILABLE,
    });
  }

  close(): void {
    this.#options.client.destroy();
  }
}
