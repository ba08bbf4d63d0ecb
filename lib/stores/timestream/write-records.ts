import {
  type _Record,
  RejectedRecordsException,
  type TimestreamWriteClient,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { withCommonAttributes } from './records.ts';
import { type RetryPolicy, type Sleep, withRetry } from './retry.ts';

export const TIMESTREAM_REJECTED = 'TIMESTREAM_REJECTED';
export const TIMESTREAM_UNAVAILABLE = 'TIMESTREAM_UNAVAILABLE';

export interface WriteTarget {
  client: TimestreamWriteClient;
  database: string;
  table: string;
  retry?: RetryPolicy;
  sleep?: Sleep;
  random?: () => number;
}

export interface RecordToWrite {
  /** The event id the record was made from, to map RejectedRecords back. */
  id: string;
  record: _Record;
}

export interface ChunkResult {
  accepted: string[];
  rejected: { id: string; code: string; detail: string }[];
}

/**
 * Writes ≤ 100 records in one WriteRecords request, retried on throttling and server errors.
 *
 * A RejectedRecordsException is a partial success, not a failure: Timestream ingests the valid
 * records of the request and lists only the refused ones (by RecordIndex, 0-based into this
 * request's Records). Those become per-event rejections; every other record counts as accepted.
 * Rejections are permanent (bad values, outside retention, version conflict), so they are not
 * retried. Any other error after the last attempt is thrown: nothing of this chunk is accepted.
 */
export async function writeChunk(target: WriteTarget, chunk: readonly RecordToWrite[]): Promise<ChunkResult> {
  if (chunk.length === 0) return { accepted: [], rejected: [] };
  if (chunk.length > 100) throw new RangeError(`WriteRecords takes at most 100 records, got ${chunk.length}`);
  const { CommonAttributes, Records } = withCommonAttributes(chunk.map((c) => c.record));
  const command = new WriteRecordsCommand({
    DatabaseName: target.database,
    TableName: target.table,
    CommonAttributes,
    Records,
  });
  try {
    await withRetry(() => target.client.send(command), {
      operation: 'Timestream WriteRecords',
      code: TIMESTREAM_UNAVAILABLE,
      ...(target.retry ? { policy: target.retry } : {}),
      ...(target.sleep ? { sleep: target.sleep } : {}),
      ...(target.random ? { random: target.random } : {}),
    });
    return { accepted: chunk.map((c) => c.id), rejected: [] };
  } catch (error) {
    if (!isRejectedRecords(error)) throw error;
    const rejectedAt = new Map<number, string>();
    for (const r of error.RejectedRecords ?? []) {
      if (r.RecordIndex === undefined || r.RecordIndex < 0 || r.RecordIndex >= chunk.length) continue;
      const version = r.ExistingVersion !== undefined ? ` (existing version ${r.ExistingVersion})` : '';
      rejectedAt.set(r.RecordIndex, `${r.Reason ?? 'rejected by Timestream'}${version}`);
    }
    if (rejectedAt.size === 0) {
      // No usable index: we cannot tell which records landed, so nothing counts as written.
      throw error;
    }
    const result: ChunkResult = { accepted: [], rejected: [] };
    chunk.forEach((c, index) => {
      const detail = rejectedAt.get(index);
      if (detail === undefined) result.accepted.push(c.id);
      else result.rejected.push({ id: c.id, code: TIMESTREAM_REJECTED, detail });
    });
    return result;
  }
}

function isRejectedRecords(error: unknown): error is RejectedRecordsException {
  return (
    error instanceof RejectedRecordsException ||
    (error instanceof Error && error.name === 'RejectedRecordsException')
  );
}
