import { type ColumnInfo, QueryCommand, type TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { parseRow, type TimestreamRow } from './query-result.ts';
import { type RetryPolicy, type Sleep, withRetry } from './retry.ts';

export const TIMESTREAM_QUERY_UNAVAILABLE = 'TIMESTREAM_QUERY_UNAVAILABLE';
/** Guard against a runaway result: at ≤ 1 MB a page, this is far beyond any spec's result. */
export const MAX_QUERY_PAGES = 1_000;

export interface QueryTarget {
  client: TimestreamQueryClient;
  retry?: RetryPolicy;
  sleep?: Sleep;
  random?: () => number;
  maxPages?: number;
}

/**
 * Runs one SQL statement and returns every row, following NextToken until it is absent. A page
 * may hold zero rows and still carry a NextToken (Timestream returns early while the query is
 * still running), so an empty page never ends the loop. Each page call is retried on throttling
 * and server errors; re-sending the same QueryString with the same NextToken is what the API
 * expects. Rows are parsed with the ColumnInfo of the page they came in.
 */
export async function runTimestreamQuery(target: QueryTarget, sql: string): Promise<TimestreamRow[]> {
  const maxPages = target.maxPages ?? MAX_QUERY_PAGES;
  const rows: TimestreamRow[] = [];
  let columns: readonly ColumnInfo[] = [];
  let nextToken: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= maxPages) throw new Error(`Timestream query exceeded ${maxPages} result pages`);
    const token = nextToken;
    const output = await withRetry(
      () =>
        target.client.send(new QueryCommand({ QueryString: sql, ...(token ? { NextToken: token } : {}) })),
      {
        operation: 'Timestream Query',
        code: TIMESTREAM_QUERY_UNAVAILABLE,
        ...(target.retry ? { policy: target.retry } : {}),
        ...(target.sleep ? { sleep: target.sleep } : {}),
        ...(target.random ? { random: target.random } : {}),
      },
    );
    if (output.ColumnInfo && output.ColumnInfo.length > 0) columns = output.ColumnInfo;
    for (const row of output.Rows ?? []) rows.push(parseRow(row, columns));
    nextToken = output.NextToken;
    if (!nextToken) return rows;
  }
}
