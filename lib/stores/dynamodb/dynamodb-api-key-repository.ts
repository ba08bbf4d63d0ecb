import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  ApiKeyChanges,
  ApiKeyRepository,
  Page,
  PageRequest,
  StoredApiKey,
} from '#lib/domain/ports/api-key-repository.ts';
import type { ApiKeyRecord } from '../../domain/api-keys.ts';
import { ValidationError } from '../../domain/errors.ts';
import { apiKeyKey, type ConfigTable, GSI1, tenantApiKeysPartition } from './config-table.ts';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';

const ENTITY = 'apiKey';

/** Every key item carries its version: `create` writes 1 and each change adds 1. */
function toRecord(item: Record<string, unknown>): StoredApiKey {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, entity: _e, ...rest } = item;
  return rest as unknown as StoredApiKey;
}

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

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
          version: 1,
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(keyId: string): Promise<StoredApiKey | undefined> {
    const { Item } = await this.#table.doc.send(
      new GetCommand({ TableName: this.#table.tableName, Key: apiKeyKey(keyId), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async listByTenant(tenantId: string, page: PageRequest): Promise<Page<StoredApiKey>> {
    const partition = tenantApiKeysPartition(tenantId);
    const startKey = decodeCursor(page.cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk']);
    // A start key is a key item in this tenant's index partition, or it is no cursor of this list.
    if (
      startKey &&
      (startKey.gsi1pk !== partition || startKey.sk !== 'APIKEY' || !startKey.pk?.startsWith('APIKEY#'))
    ) {
      throw invalidCursor();
    }
    const result = await this.#table.doc.send(
      new QueryCommand({
        TableName: this.#table.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Limit: page.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map(toRecord),
      ...(nextCursor === undefined ? {} : { nextCursor }),
    };
  }

  async revoke(keyId: string, at: Date): Promise<StoredApiKey | undefined> {
    try {
      const { Attributes } = await this.#table.doc.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: apiKeyKey(keyId),
          UpdateExpression:
            'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :at), version = version + :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':revoked': 'revoked', ':at': at.toISOString(), ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async update(
    keyId: string,
    tenantId: string,
    changes: ApiKeyChanges,
    expectedVersion?: number,
  ): Promise<StoredApiKey | 'not-found' | 'version-conflict'> {
    const sets = ['version = version + :one'];
    const removes: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':one': 1, ':tenant': tenantId };
    const assign = (attribute: 'name' | 'rateLimits', value: unknown) => {
      if (value === undefined) return;
      names[`#${attribute}`] = attribute;
      if (value === null) {
        removes.push(`#${attribute}`);
      } else {
        sets.push(`#${attribute} = :${attribute}`);
        values[`:${attribute}`] = value;
      }
    };
    assign('name', changes.name);
    assign('rateLimits', changes.rateLimits);
    if (changes.revokedAt !== undefined) {
      names['#status'] = 'status';
      sets.push('#status = :revoked', 'revokedAt = if_not_exists(revokedAt, :at)');
      values[':revoked'] = 'revoked';
      values[':at'] = changes.revokedAt;
    }
    let condition = 'attribute_exists(pk) AND tenantId = :tenant';
    if (expectedVersion !== undefined) {
      values[':expected'] = expectedVersion;
      condition += ' AND version = :expected';
    }
    try {
      const { Attributes } = await this.#table.doc.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: apiKeyKey(keyId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (!Attributes) throw new Error(`UpdateItem of ${keyId} returned no attributes`);
      return toRecord(Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.get(keyId);
      return !current || current.tenantId !== tenantId ? 'not-found' : 'version-conflict';
    }
  }
}
