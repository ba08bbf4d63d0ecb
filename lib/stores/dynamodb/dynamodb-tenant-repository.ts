import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TenantRecord, TenantRepository } from '#lib/domain/ports/tenant-repository.ts';
import { type ConfigTable, tenantKey } from './config-table.ts';

export class DynamoDbTenantRepository implements TenantRepository {
  readonly #table: ConfigTable;

  constructor(table: ConfigTable) {
    this.#table = table;
  }

  async create(tenant: TenantRecord): Promise<void> {
    await this.#table.doc.send(
      new PutCommand({
        TableName: this.#table.tableName,
        Item: {
          ...tenantKey(tenant.tenantId),
          gsi1pk: 'TENANTS',
          gsi1sk: `${tenant.createdAt}#${tenant.tenantId}`,
          entity: 'tenant',
          ...tenant,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(tenantId: string): Promise<TenantRecord | undefined> {
    const { Item } = await this.#table.doc.send(
      new GetCommand({ TableName: this.#table.tableName, Key: tenantKey(tenantId) }),
    );
    if (!Item) return undefined;
    return { tenantId: String(Item.tenantId), name: String(Item.name), createdAt: String(Item.createdAt) };
  }
}
