import { describe, expect, it } from 'vitest';
import type { UsageEvent } from '#lib/domain/events.ts';
import { type BatchItem, ingestEvents } from '#lib/domain/ingest.ts';
import type { TimeSeriesStore, WriteOutcome } from '#lib/domain/ports/time-series.ts';

const now = new Date('2026-04-18T10:00:00.000Z');
const event = (id: string) => ({ value: { id, time: '2026-04-18T09:59:00.000Z', type: 'message' } });

/** A store that refuses the given ids (as Timestream's RejectedRecords would) and takes the rest. */
function refusingStore(refused: string[]): TimeSeriesStore & { written: UsageEvent[][] } {
  const written: UsageEvent[][] = [];
  const writeEvents = async (_tenantId: string, events: readonly UsageEvent[]): Promise<WriteOutcome> => {
    written.push([...events]);
    return {
      accepted: events.map((e) => e.id).filter((id) => !refused.includes(id)),
      duplicates: [],
      rejected: refused.map((id) => ({ id, code: 'STORE_REFUSED', detail: `refused ${id}` })),
    };
  };
  return { written, writeEvents } as unknown as TimeSeriesStore & { written: UsageEvent[][] };
}

describe('ingestEvents', () => {
  it("merges the store's refusals into the batch-ordered rejections, at each event's first index", async () => {
    const store = refusingStore(['b', 'unknown-to-the-batch']);
    const items: BatchItem[] = [
      event('a'),
      { malformed: 'This line is not a JSON object' },
      event('b'),
      event('a'),
      { value: { id: 'c', type: 'message' } },
      event('b'),
      event('d'),
    ];

    const result = await ingestEvents(store, 'ten_a', items, now);

    expect(store.written.map((events) => events.map((e) => e.id))).toEqual([['a', 'b', 'd']]);
    expect(result).toEqual({
      accepted: 2,
      duplicates: 2,
      rejected: [
        { index: -1, code: 'STORE_REFUSED', detail: 'refused unknown-to-the-batch' },
        { index: 1, code: 'MALFORMED_JSON', detail: 'This line is not a JSON object' },
        { index: 2, code: 'STORE_REFUSED', detail: 'refused b' },
        { index: 4, code: 'MISSING_FIELD', detail: '"time" is required' },
      ],
    });
  });

  it('reports validation rejections in batch order when the store refuses nothing', async () => {
    const store = refusingStore([]);
    const items: BatchItem[] = [
      { value: [] },
      event('a'),
      { value: { id: 'x y', time: 'now', type: 'message' } },
    ];

    expect(await ingestEvents(store, 'ten_a', items, now)).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 0, code: 'NOT_AN_OBJECT', detail: 'An event is a JSON object' },
        {
          index: 2,
          code: 'INVALID_ID',
          detail: '"id" is 1 to 128 printable ASCII characters without spaces',
        },
      ],
    });
  });
});
