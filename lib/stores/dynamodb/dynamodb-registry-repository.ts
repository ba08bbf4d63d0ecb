import { createHash } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ClaimCondition,
  EntityRepository,
  ListPage,
  ListRequest,
  PriceBook,
  PriceBookRepository,
  RegistryStores,
  UniqueClaim,
  UniqueClaimRepository,
} from '#lib/domain/ports/registry-repository.ts';
import type { StoredPricePlan } from '../../domain/registry/price-plans.ts';
import type { EntityMeta } from '../../domain/registry/types.ts';
import type { ConfigTable } from './config-table.ts';

/**
 * Registry items live in their tenant's partition `T#<tenantId>` (see config-table.ts):
 * entities at sk `<KIND>#<id>`, unique-key claims at `UNIQUE#<SCOPE>#<sha256(key)>`, the price
 * book at `PRICEBOOK`. Lists are one Query on `begins_with(sk, '<KIND>#')`, so they come in id
 * order and never leave the tenant's partition.
 */
export const registryPartition = (tenantId: string) => `T#${tenantId}`;
export const entityKey = (tenantId: string, kind: string, id: string) => ({
  pk: registryPartition(tenantId),
  sk: `${kind}#${id}`,
});
export const uniqueClaimKey = (tenantId: string, scope: string, key: string) => ({
  pk: registryPartition(tenantId),
  sk: `UNIQUE#${scope}#${createHash('sha256').update(key, 'utf8').digest('base64url')}`,
});
export const priceBookKey = (tenantId: string) => ({ pk: registryPartition(tenantId), sk: 'PRICEBOOK' });

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** Runs a conditional write; false when its condition failed. */
async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Deletes the item only while `attribute` still holds `value`; false when it does not (or is gone). */
function deleteIf(
  table: ConfigTable,
  key: Record<string, string>,
  attribute: string,
  value: string | number,
): Promise<boolean> {
  return conditionally(() =>
    table.doc.send(
      new DeleteCommand({
        TableName: table.tableName,
        Key: key,
        ConditionExpression: '#attribute = :value',
        ExpressionAttributeNames: { '#attribute': attribute },
        ExpressionAttributeValues: { ':value': value },
      }),
    ),
  );
}

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest as T;
}

/** Query page size while filtering: the registry of a tenant is small, a few pages at most. */
const FILTER_PAGE = 100;

/** One kind of versioned entity; every write is conditional on the id's absence or the stored version. */
export class DynamoDbEntityRepository<T extends EntityMeta> implements EntityRepository<T> {
  readonly #table: ConfigTable;
  readonly #kind: string;
  readonly #entity: string;

  /** `kind`: the sort-key prefix (`OPERATOR`); `entity`: the item's `entity` attribute (`operator`). */
  constructor(table: ConfigTable, kind: string, entity: string) {
    this.#table = table;
    this.#kind = kind;
    this.#entity = entity;
  }

  async get(tenantId: string, id: string): Promise<T | undefined> {
    const { Item } = await this.#table.doc.send(
      new GetCommand({
        TableName: this.#table.tableName,
        Key: entityKey(tenantId, this.#kind, id),
        ConsistentRead: true,
      }),
    );
    return Item ? strip<T>(Item) : undefined;
  }

  async list(tenantId: string, request: ListRequest<T>): Promise<ListPage<T>> {
    const found: T[] = [];
    let startKey: Record<string, unknown> | undefined =
      request.after === undefined ? undefined : entityKey(tenantId, this.#kind, request.after);
    // One more than asked for tells whether another page follows.
    while (found.length <= request.limit) {
      const result = await this.#table.doc.send(
        new QueryCommand({
          TableName: this.#table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': registryPartition(tenantId), ':prefix': `${this.#kind}#` },
          ExclusiveStartKey: startKey,
          Limit: request.where ? FILTER_PAGE : request.limit + 1 - found.length,
          ConsistentRead: true,
        }),
      );
      for (const item of result.Items ?? []) {
        const entity = strip<T>(item);
        if (!request.where || request.where(entity)) found.push(entity);
        if (found.length > request.limit) break;
      }
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return { items: found.slice(0, request.limit), more: found.length > request.limit };
  }

  create(tenantId: string, entity: T): Promise<boolean> {
    return conditionally(() =>
      this.#table.doc.send(
        new PutCommand({
          TableName: this.#table.tableName,
          Item: { ...entity, ...entityKey(tenantId, this.#kind, entity.id), entity: this.#entity },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  replace(tenantId: string, entity: T, expectedVersion: number): Promise<boolean> {
    return conditionally(() =>
      this.#table.doc.send(
        new PutCommand({
          TableName: this.#table.tableName,
          Item: { ...entity, ...entityKey(tenantId, this.#kind, entity.id), entity: this.#entity },
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      ),
    );
  }

  delete(tenantId: string, id: string, expectedVersion: number): Promise<boolean> {
    return deleteIf(this.#table, entityKey(tenantId, this.#kind, id), 'version', expectedVersion);
  }
}

export class DynamoDbUniqueClaimRepository implements UniqueClaimRepository {
  readonly #table: ConfigTable;

  constructor(table: ConfigTable) {
    this.#table = table;
  }

  async get(tenantId: string, scope: string, key: string): Promise<UniqueClaim | undefined> {
    const { Item } = await this.#table.doc.send(
      new GetCommand({
        TableName: this.#table.tableName,
        Key: uniqueClaimKey(tenantId, scope, key),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return { ownerId: String(Item.ownerId), token: String(Item.token), claimedAt: String(Item.claimedAt) };
  }

  put(
    tenantId: string,
    scope: string,
    key: string,
    claim: UniqueClaim,
    condition: ClaimCondition,
  ): Promise<boolean> {
    const [attribute, value] =
      'absent' in condition
        ? []
        : 'ownerId' in condition
          ? ['ownerId', condition.ownerId]
          : ['token', condition.token];
    const guard: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      attribute === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#attribute = :value',
            ExpressionAttributeNames: { '#attribute': attribute },
            ExpressionAttributeValues: { ':value': value },
          };
    return conditionally(() =>
      this.#table.doc.send(
        new PutCommand({
          TableName: this.#table.tableName,
          Item: { ...uniqueClaimKey(tenantId, scope, key), entity: 'uniqueClaim', scope, ...claim },
          ...guard,
        }),
      ),
    );
  }

  delete(tenantId: string, scope: string, key: string, token: string): Promise<boolean> {
    return deleteIf(this.#table, uniqueClaimKey(tenantId, scope, key), 'token', token);
  }
}

export class DynamoDbPriceBookRepository implements PriceBookRepository {
  readonly #table: ConfigTable;

  constructor(table: ConfigTable) {
    this.#table = table;
  }

  async get(tenantId: string): Promise<PriceBook> {
    const { Item } = await this.#table.doc.send(
      new GetCommand({ TableName: this.#table.tableName, Key: priceBookKey(tenantId), ConsistentRead: true }),
    );
    if (!Item) return { version: 0, plans: [] };
    return { version: Number(Item.version), plans: (Item.plans ?? []) as StoredPricePlan[] };
  }

  put(tenantId: string, book: PriceBook, expectedVersion: number): Promise<boolean> {
    return conditionally(() =>
      this.#table.doc.send(
        new PutCommand({
          TableName: this.#table.tableName,
          Item: { ...priceBookKey(tenantId), entity: 'priceBook', version: book.version, plans: book.plans },
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      ),
    );
  }
}

/** Every registry port over one config table. */
export function dynamoDbRegistryStores(table: ConfigTable): RegistryStores {
  return {
    operators: new DynamoDbEntityRepository(table, 'OPERATOR', 'operator'),
    connectors: new DynamoDbEntityRepository(table, 'CONNECTOR', 'connector'),
    connections: new DynamoDbEntityRepository(table, 'CONNECTION', 'connection'),
    accounts: new DynamoDbEntityRepository(table, 'ACCOUNT', 'account'),
    projects: new DynamoDbEntityRepository(table, 'PROJECT', 'project'),
    settings: new DynamoDbEntityRepository(table, 'SETTINGS', 'settings'),
    claims: new DynamoDbUniqueClaimRepository(table),
    priceBook: new DynamoDbPriceBookRepository(table),
  };
}
