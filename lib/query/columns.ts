import type { Dimension, Measure } from '../domain/events.ts';

/**
 * Physical column names, shared by both time-series stores so one compiler serves both. In
 * Timestream the dimensions are record dimensions (always VARCHAR) and the measures are the
 * measures of one multi-measure record named `usage`; in DuckDB they are columns of `events`.
 */
export const DIMENSION_COLUMNS = {
  type: 'type',
  operatorId: 'operator_id',
  accountId: 'account_id',
  projectId: 'project_id',
  apiKeyId: 'api_key_id',
  connectorId: 'connector_id',
  service: 'service',
  endpoint: 'endpoint',
  category: 'category',
  method: 'method',
  model: 'model',
  status: 'status',
  statusCode: 'status_code',
} as const satisfies Record<Dimension, string>;

export const MEASURE_COLUMNS = {
  latencyMs: 'latency_ms',
  bytes: 'bytes',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  segments: 'segments',
  units: 'units',
  storageBytes: 'storage_bytes',
  cost: 'cost_micros',
} as const satisfies Record<Measure, string>;

export const TENANT_COLUMN = 'tenant_id';
export const EVENT_ID_COLUMN = 'event_id';
export const TIME_COLUMN = 'time';
/** Name of the Timestream multi-measure record that carries every measure of an event. */
export const TIMESTREAM_MEASURE_NAME = 'usage';
