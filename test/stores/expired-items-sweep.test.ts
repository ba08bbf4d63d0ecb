import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/job-expired-items-sweep.ts';
import { installRuntime } from '#lib/wiring/index.ts';
import { Runtime } from '#lib/wiring/runtime.ts';
import { loadScheduledEvent } from '../../events/sample-events.ts';
import { localLambdaContext } from '../../infra/local/api-gateway-event.ts';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../infra/local/embedded-stores.ts';

let dynamo: EmbeddedDynamo;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  installRuntime(
    new Runtime({
      configTable: () => dynamo.table,
      timeSeries: () => {
        throw new Error('not used by this job');
      },
    }),
  );
});
afterAll(async () => {
  installRuntime(undefined);
  await dynamo.close();
});

describe('job-expired-items-sweep', () => {
  it('deletes exactly the items whose expiresAt has passed at the scheduled time', async () => {
    // Given 60 expired items (more than one BatchWrite), 5 that expire later and 5 that never do
    const scheduledAt = Date.parse('2026-11-23T10:00:00Z') / 1000;
    const item = (i: number, expiresAt?: number) => ({
      pk: `T#ten_sweep#IDEM#${i}`,
      sk: 'IDEM',
      ...(expiresAt === undefined ? {} : { expiresAt }),
    });
    const items = [
      ...Array.from({ length: 60 }, (_, i) => item(i, scheduledAt - 1 - i)),
      ...Array.from({ length: 5 }, (_, i) => item(100 + i, scheduledAt + 3600)),
      ...Array.from({ length: 5 }, (_, i) => item(200 + i)),
    ];
    for (let i = 0; i < items.length; i += 25) {
      await dynamo.table.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [dynamo.table.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }

    // When the job runs with the sample EventBridge event (time 2026-11-23T10:00:00Z)
    const result = await handler(
      loadScheduledEvent('eventbridge/job-expired-items-sweep.json'),
      localLambdaContext('job-expired-items-sweep', 60),
    );

    // Then exactly the expired ones are gone
    expect(result).toEqual({ deleted: 60 });
    const { Items = [] } = await dynamo.table.doc.send(
      new ScanCommand({ TableName: dynamo.table.tableName }),
    );
    const left = Items.filter((i) => String(i.pk).startsWith('T#ten_sweep#')).map((i) =>
      Number(String(i.pk).split('#').pop()),
    );
    expect(left.sort((a, b) => a - b)).toEqual([100, 101, 102, 103, 104, 200, 201, 202, 203, 204]);
  });
});
