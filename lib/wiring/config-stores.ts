import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ConfigTable } from '../stores/dynamodb/config-table.ts';
import { DynamoDbApiKeyRepository } from '../stores/dynamodb/dynamodb-api-key-repository.ts';
import { DynamoDbCursorKey } from '../stores/dynamodb/dynamodb-cursor-key.ts';
import { DynamoDbIdempotencyStore } from '../stores/dynamodb/dynamodb-idempotency-store.ts';
import { dynamoDbRegistryStores } from '../stores/dynamodb/dynamodb-registry-repository.ts';
import { DynamoDbTenantRepository } from '../stores/dynamodb/dynamodb-tenant-repository.ts';

/**
 * The repositories on the config table, in one module so that the Runtime reaches all of them
 * (and the DynamoDB SDK they import) through one branch a bundle without a config binding drops.
 */
export function configStores(table: ConfigTable) {
  return {
    /** Uncached: the Runtime puts the container's key cache in front. */
    apiKeys: new DynamoDbApiKeyRepository(table),
    tenants: new DynamoDbTenantRepository(table),
    registry: dynamoDbRegistryStores(table),
    idempotency: new DynamoDbIdempotencyStore(table),
    cursorKey: new DynamoDbCursorKey(table),
    /** A read that needs no more than read access. */
    ping: async (): Promise<void> => {
      await table.doc.send(
        new GetCommand({ TableName: table.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }),
      );
    },
  };
}

export type ConfigStores = ReturnType<typeof configStores>;
