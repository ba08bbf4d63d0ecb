import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type ConfigTable, nowEpochSeconds } from './config-table.ts';

const BATCH_WRITE_MAX = 25;
const MAX_ATTEMPTS = 8;

/**
 * Deletes every item whose `expiresAt` has passed, for dynalite, which has no TTL: the manifest
 * schedules this job only locally (lib/schedules.ts). A full scan is fine on one machine's store;
 * in AWS the table holds one ledger item per ingested event for 400 days, so DynamoDB TTL deletes
 * them there and no deployed function may Scan the table. Returns how many items it deleted.
 */
export async function sweepExpiredItems(table: ConfigTable, now: Date): Promise<number> {
  let deleted = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'expiresAt <= :now',
        ProjectionExpression: 'pk, sk',
        ExpressionAttributeValues: { ':now': nowEpochSeconds(now) },
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += BATCH_WRITE_MAX) {
      await deleteAll(table, keys.slice(i, i + BATCH_WRITE_MAX));
    }
    deleted += keys.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return deleted;
}

async function deleteAll(table: ConfigTable, keys: Record<string, unknown>[]): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 1; requests.length > 0; attempt += 1) {
    if (attempt > MAX_ATTEMPTS) throw new Error(`${requests.length} expired items left unprocessed`);
    const result = await table.doc.send(
      new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }),
    );
    requests = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
    if (requests.length > 0) await new Promise((r) => setTimeout(r, 2 ** attempt * 10));
  }
}
