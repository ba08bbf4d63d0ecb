import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import { PayloadTooLargeError, UnprocessableError, ValidationError } from './errors.ts';
import { validateEvent } from './event-validation.ts';
import type { UsageEvent } from './events.ts';

export const MAX_BATCH_EVENTS = 1000;
export const MAX_BATCH_BYTES = 1024 * 1024;

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; code: string; detail: string }[];
}

/** One entry of a batch as received: a parsed value, or an NDJSON line that was not JSON. */
export type BatchItem = { value: unknown } | { malformed: string };

/**
 * Splits a request body into batch items. JSON bodies are `{"events": [...]}`; NDJSON bodies are
 * one event per line, and a line that is not JSON rejects that event alone.
 */
export function parseBatch(body: string, format: 'json' | 'ndjson'): BatchItem[] {
  let items: BatchItem[];
  if (format === 'ndjson') {
    items = body
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
      .map((line) => {
        try {
          return { value: JSON.parse(line) as unknown };
        } catch {
          return { malformed: 'This line is not a JSON object' };
        }
      });
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ValidationError('MALFORMED_JSON', 'The request body is not valid JSON');
    }
    const events = (parsed as { events?: unknown } | null)?.events;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Array.isArray(events)) {
      throw new ValidationError('INVALID_BATCH', 'The body is {"events": [ ... ]}');
    }
    const extra = Object.keys(parsed).filter((key) => key !== 'events');
    if (extra.length > 0) throw new ValidationError('INVALID_BATCH', `Unknown member: ${extra.join(', ')}`);
    items = events.map((value: unknown) => ({ value }));
  }
  if (items.length === 0) throw new ValidationError('EMPTY_BATCH', 'The batch holds no events');
  if (items.length > MAX_BATCH_EVENTS) {
    throw new PayloadTooLargeError(
      'TOO_MANY_EVENTS',
      `The batch holds ${items.length} events; send at most ${MAX_BATCH_EVENTS} per request`,
    );
  }
  return items;
}

/**
 * Validates every event on its own, counts repeats of an id (within the batch or already stored)
 * as duplicates, and writes the rest in one call to the store. Nothing is partial: the store
 * marks an event seen only once it is durably written, so a failed call can be retried whole.
 */
export async function ingestEvents(
  store: TimeSeriesStore,
  tenantId: string,
  items: readonly BatchItem[],
  now: Date,
): Promise<IngestResult> {
  const rejected: IngestResult['rejected'] = [];
  const seenIds = new Set<string>();
  /** The first valid event of each id, in batch order, and its index in the batch. */
  const events: UsageEvent[] = [];
  const eventIndexes: number[] = [];
  let duplicates = 0;

  for (let index = 0; index < items.length; index++) {
    const item = items[index] as BatchItem;
    if ('malformed' in item) {
      rejected.push({ index, code: 'MALFORMED_JSON', detail: item.malformed });
      continue;
    }
    const result = validateEvent(item.value, now);
    if (!result.ok) {
      rejected.push({ index, code: result.rejection.code, detail: result.rejection.detail });
      continue;
    }
    // One hash lookup per event: the set grows only for an id it did not hold.
    const seenBefore = seenIds.size;
    seenIds.add(result.event.id);
    if (seenIds.size === seenBefore) {
      duplicates += 1;
      continue;
    }
    events.push(result.event);
    eventIndexes.push(index);
  }

  let accepted = 0;
  if (events.length > 0) {
    const outcome = await store.writeEvents(tenantId, events);
    accepted = outcome.accepted.length;
    duplicates += outcome.duplicates.length;
    if (outcome.rejected.length > 0) {
      const indexById = new Map(events.map((event, i) => [event.id, eventIndexes[i] ?? -1]));
      for (const refusal of outcome.rejected) {
        rejected.push({ index: indexById.get(refusal.id) ?? -1, code: refusal.code, detail: refusal.detail });
      }
      // The validation rejections came in batch order; the store's refusals have to be merged in.
      rejected.sort((a, b) => a.index - b.index);
    }
  }
  const result = { accepted, duplicates, rejected };
  if (accepted + duplicates === 0) {
    throw new UnprocessableError(
      'NO_EVENT_ACCEPTED',
      'No event of the batch could be accepted; see "rejected"',
      result,
    );
  }
  return result;
}
