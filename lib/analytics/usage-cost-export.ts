import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import {
  ADDITIVE_METRICS,
  EXPORT_FORMATS,
  type ExportFormat,
  type UsageRequestInput,
} from '../contracts/usage-cost.ts';
import { PayloadTooLargeError } from '../domain/errors.ts';
import type { TimeWindow } from '../domain/windows.ts';
import type { QueryRow } from '../query/spec.ts';
import {
  type CellValue,
  columnsOf,
  headerOf,
  invalidParameter,
  renderRow,
  resolveGroups,
  resolveMetrics,
  resolveUsageWindow,
  rowsWithEvents,
  type UsagePlan,
  usageRowsSpec,
} from './usage-cost.ts';

/**
 * GET /v1/analytics/export: the usage rows (same columns, order and window rules as the usage
 * query) as CSV, JSON (`{"data": [...]}`) or NDJSON, as a download.
 *
 * Size. An API Gateway HTTP API cannot stream a Lambda response, and a synchronous Lambda
 * response is at most 6 MB, the body counted as it is encoded in the response document (a JSON
 * string, so `"` and line breaks take two bytes). Rows are written one at a time into the body
 * (CSV through csv-stringify's stream) while that encoded size is counted; past `maxBytes`
 * (5 MiB, leaving room for headers) or past `maxRows` the export stops and answers 413
 * EXPORT_TOO_LARGE, asking for a shorter range or a coarser grouping. One store query, which
 * fetches at most maxRows + 1 rows.
 *
 * CSV: RFC 4180 (CRLF, a header row even when there are no rows, fields quoted when they hold a
 * comma, quote or line break, quotes doubled), UTF-8 without BOM, cost as an exact 6-decimal
 * string, empty cells for nulls. Cells that spreadsheets would run as formulas (leading =, +, -,
 * @, tab, CR) get a leading apostrophe (OWASP CSV injection), since dimension values come from
 * clients' events. JSON and NDJSON write cost as a number, like the usage query.
 */
export interface ExportLimits {
  maxBytes: number;
  maxRows: number;
}

export const EXPORT_LIMITS: ExportLimits = { maxBytes: 5 * 1024 * 1024, maxRows: 50_000 };

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
};

export interface ExportPlan extends UsagePlan {
  format: ExportFormat;
}

export interface UsageExport {
  text: string;
  contentType: string;
  filename: string;
  rows: number;
}

export function resolveExportRequest(
  input: Omit<UsageRequestInput, 'limit'> & { format?: string | undefined },
  now: Date,
): ExportPlan {
  const format = input.format ?? 'csv';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw invalidParameter(
      'UNKNOWN_FORMAT',
      'format',
      'query',
      `unknown format ${JSON.stringify(format)}; use ${EXPORT_FORMATS.join(', ')}`,
    );
  }
  const window = resolveUsageWindow(input, now, 'query');
  const groups = resolveGroups(input.group_by, ['day'], 'query');
  const metrics = resolveMetrics(input.metrics, ADDITIVE_METRICS, 'query');
  return {
    format: format as ExportFormat,
    window,
    groups,
    metrics,
    columns: columnsOf(metrics),
    limit: EXPORT_LIMITS.maxRows + 1,
  };
}

/** Compact ISO 8601 (no colons, safe in a file name): 20250601T000000Z. */
const compact = (at: Date) =>
  at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll('-', '')
    .replaceAll(':', '');

/** `meterhouse-usage-<from>-<to>.<ext>`, the window's bounds (to exclusive) in compact UTC. */
export function exportFilename(window: TimeWindow, format: ExportFormat): string {
  return `meterhouse-usage-${compact(window.from)}-${compact(window.to)}.${format}`;
}

function tooLarge(detail: string, limits: ExportLimits): PayloadTooLargeError {
  return new PayloadTooLargeError(
    'EXPORT_TOO_LARGE',
    `${detail}. Narrow the range or group less finely (e.g. day instead of hour, fewer dimensions).`,
    { parameter: 'range', maxBytes: limits.maxBytes, maxRows: limits.maxRows },
  );
}

/** The bytes a chunk takes inside the Lambda response document (a JSON string). */
const encodedBytes = (chunk: string) => Buffer.byteLength(JSON.stringify(chunk)) - 2;

/** Collects chunks into the body, refusing to grow past the byte limit. */
async function collect(chunks: AsyncIterable<string | Buffer> | Iterable<string>, limits: ExportLimits) {
  const parts: string[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    size += encodedBytes(text);
    if (size > limits.maxBytes) {
      throw tooLarge(`The export is larger than ${limits.maxBytes} bytes`, limits);
    }
    parts.push(text);
  }
  return parts.join('');
}

/** Cells as csv-stringify should print them: numbers as written, nulls as empty cells. */
const csvCell = (value: CellValue): string | number => (value === null ? '' : value);

function csvChunks(header: readonly string[], records: Iterable<Record<string, CellValue>>) {
  const source = Readable.from(
    (function* () {
      for (const record of records) yield header.map((key) => csvCell(record[key] ?? null));
    })(),
    { objectMode: true },
  );
  const stringifier = stringify({
    header: true,
    columns: [...header],
    record_delimiter: 'windows',
    escape_formulas: true,
  });
  // Errors of either side end the iteration below.
  source.on('error', (error) => stringifier.destroy(error));
  return source.pipe(stringifier) as AsyncIterable<Buffer>;
}

function* jsonChunks(records: Iterable<Record<string, CellValue>>) {
  yield '{"data":[';
  let first = true;
  for (const record of records) {
    yield `${first ? '' : ','}${JSON.stringify(record)}`;
    first = false;
  }
  yield ']}';
}

function* ndjsonChunks(records: Iterable<Record<string, CellValue>>) {
  for (const record of records) yield `${JSON.stringify(record)}\n`;
}

/** The body of an export of these rows, written row by row into a buffer bounded by `limits.maxBytes`. */
export async function writeExportBody(
  plan: ExportPlan,
  rows: readonly QueryRow[],
  limits: ExportLimits = EXPORT_LIMITS,
): Promise<string> {
  const money = plan.format === 'csv' ? 'string' : 'number';
  const records = (function* () {
    for (const row of rowsWithEvents(rows)) yield renderRow(row, plan, money);
  })();
  const chunks =
    plan.format === 'csv'
      ? csvChunks(headerOf(plan), records)
      : plan.format === 'json'
        ? jsonChunks(records)
        : ndjsonChunks(records);
  return collect(chunks, limits);
}

/** An export: ONE query (at most maxRows + 1 rows), then the body. */
export async function exportUsage(
  store: TimeSeriesStore,
  tenantId: string,
  plan: ExportPlan,
  limits: ExportLimits = EXPORT_LIMITS,
): Promise<UsageExport> {
  // One row more than allowed, to tell "exactly at the limit" from "over it".
  const rows = await store.query(usageRowsSpec(tenantId, { ...plan, limit: limits.maxRows + 1 }));
  if (rows.length > limits.maxRows) {
    throw tooLarge(`The export has more than ${limits.maxRows} rows`, limits);
  }
  return {
    text: await writeExportBody(plan, rows, limits),
    contentType: EXPORT_CONTENT_TYPES[plan.format],
    filename: exportFilename(plan.window, plan.format),
    rows: rows.length,
  };
}
