import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyRecord, IdempotencyStore } from '#lib/domain/ports/idempotency-store.ts';
import { type ConfigTable, isExpired, nowEpochSeconds } from './config-table.ts';

/** pk `T#<tenantId>#IDEM#<key>`, sk `IDEM` (config-table.ts); `key` is already a digest of the client's key. */
export const idempotencyKey = (tenantId: string, key: string) => ({
  pk: `T#${tenantId}#IDEM#${key}`,
  sk: 'IDEM',
});

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

export class DynamoDbIdempotencyStore implements IdempotencyStore {
  readonly #table: ConfigTable;

  constructor(table: ConfigTable) {
    this.#table = table;
  }

  async claim(
    tenantId: string,
    key: string,
    record: IdempotencyRecord,
    now: Date,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord | undefined }> {
    try {
      await this.#table.doc.send(
        new PutCommand({
          TableName: this.#table.tableName,
          Item: { ...idempotencyKey(tenantId, key), entity: 'idempotency', ...record },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt <= :nowSeconds OR ' +
            '(#state = :inProgress AND lockedUntil <= :nowMs AND fingerprint = :fingerprint)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':nowSeconds': nowEpochSeconds(now),
            ':nowMs': now.getTime(),
            ':inProgress': 'in-progress',
            ':fingerprint': record.fingerprint,
          },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.#table.doc.send(
      new GetCommand({
        TableName: this.#table.tableName,
        Key: idempotencyKey(tenantId, key),
        ConsistentRead: true,
      }),
    );
    if (!Item || isExpired(Item, now)) return { claimed: false, existing: undefined };
    return {
      claimed: false,
      existing: {
        fingerprint: String(Item.fingerprint),
        state: Item.state === 'completed' ? 'completed' : 'in-progress',
        token: String(Item.token),
        lockedUntil: Number(Item.lockedUntil),
        expiresAt: Number(Item.expiresAt),
        ...(typeof Item.response === 'string' ? { response: Item.response } : {}),
      },
    };
  }

  async complete(tenantId: string, key: string, token: string, response: string): Promise<boolean> {
    try {
      await this.#table.doc.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: idempotencyKey(tenantId, key),
          UpdateExpression: 'SET #state = :completed, #response = :response',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response', '#token': 'token' },
          ExpressionAttributeValues: { ':completed': 'completed', ':response': response, ':token': token },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(tenantId: string, key: string, token: string): Promise<void> {
    try {
      await this.#table.doc.send(
        new DeleteCommand({
          TableName: this.#table.tableName,
          Key: idempotencyKey(tenantId, key),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
