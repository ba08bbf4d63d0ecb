import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../../domain/api-keys.ts';
import type { ApiKeyRepository, Page, PageRequest } from '../api-key-repository.ts';
import { type ConfigTable, GSI1, apiKeyKey, tenantApiKeysPartition } from './config-table.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

const ENTITY = 'apiKey';

function toRecord(item: Record<string, unknown>): ApiKeyRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ...rest } = item;
  return rest as unknown as ApiKeyRecord;
}

export class DynamoDbApiKeyRepository implements ApiKeyRepository {
  readonly #table: ConfigTable;

  constructor(table: ConfigTable) {
    this.#table = table;
  }

  async create(record: ApiKeyRecord): Promise<void> {
    await this.#table.doc.send(
      new PutCommand({
        TableName: this.#table.tableName,
        Item: {
          ...apiKeyKey(record.keyId),
          gsi1pk: tenantApiKeysPartition(record.tenantId),
          gsi1sk: `${record.createdAt}#${record.keyId}`,
          entity: ENTITY,
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.#table.doc.send(
      new GetCommand({ TableName: this.#table.tableName, Key: apiKeyKey(keyId), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async listByTenant(tenantId: string, page: PageRequest): Promise<Page<ApiKeyRecord>> {
    const result = await this.#table.doc.send(
      new QueryCommand({
        TableName: this.#table.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantApiKeysPartition(tenantId) },
        Limit: page.limit,
        ExclusiveStartKey: decodeCursor(page.cursor),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map(toRecord),
      ...(nextCursor === undefined ? {} : { nextCursor }),
    };
  }

  async revoke(keyId: string, at: Date): Promise<ApiKeyRecord | undefined> {
    try {
      const { Attributes } = await this.#table.doc.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: apiKeyKey(keyId),
          UpdateExpression: 'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':revoked': 'revoked', ':at': at.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }
}
