import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one configuration table. Key design (every item has `pk`, `sk`, `entity`):
 *
 * | item                  | pk                          | sk             | gsi1pk                   | gsi1sk               |
 * |-----------------------|-----------------------------|----------------|--------------------------|----------------------|
 * | tenant                | `T#<tenantId>`              | `TENANT`       | `TENANTS`                | `<createdAt>#<id>`   |
 * | API key               | `APIKEY#<keyId>`            | `APIKEY`       | `T#<tenantId>#APIKEY`    | `<createdAt>#<keyId>`|
 * | registry entity       | `T#<tenantId>`              | `<KIND>#<id>`  |                          |                      |
 * | unique-key claim      | `T#<tenantId>`              | `UNIQUE#<SCOPE>#<sha256(key)>` |          |                      |
 * | price book            | `T#<tenantId>`              | `PRICEBOOK`    |                          |                      |
 * | ingested event id     | `T#<tenantId>#EVT#<eventId>`| `EVT`          |                          |                      |
 * | idempotency record    | `T#<tenantId>#IDEM#<key>`   | `IDEM`         |                          |                      |
 * | cursor-sealing key    | `SECRET#CURSOR`             | `SECRET`       |                          |                      |
 *
 * Registry kinds (dynamodb-registry-repository.ts): OPERATOR, CONNECTOR, CONNECTION, ACCOUNT,
 * PROJECT, SETTINGS (id `profile`); a list is one Query on `begins_with(sk, '<KIND>#')`, in id
 * order. Unique names and connection pairs are held by claim items (registry/unique-claims.ts);
 * all price plans of a tenant are one item, so "no overlapping validity" is one conditional
 * write. In idempotency records `<key>` is sha256(tenant, Idempotency-Key), never the key itself
 * (lib/http/idempotency.ts).
 *
 * API keys are keyed by their public id alone so that verifying a bearer key is one GetItem;
 * the item carries its tenant, and every other item is under its tenant's partition prefix, so a
 * request can only ever name items of its own tenant. Writes are single-item and conditional
 * (`version` attribute for optimistic locking): dynalite has no transactions, and this design
 * needs none. `expiresAt` (epoch seconds) is the TTL attribute, used for clean-up only: readers
 * treat an item past its `expiresAt` as absent, because DynamoDB deletes late and dynalite never.
 */
export interface ConfigTable {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export const GSI1 = 'gsi1';

export const tenantKey = (tenantId: string) => ({ pk: `T#${tenantId}`, sk: 'TENANT' });
export const apiKeyKey = (keyId: string) => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' });
export const tenantApiKeysPartition = (tenantId: string) => `T#${tenantId}#APIKEY`;
/** The server's key that seals list cursors (dynamodb-cursor-key.ts); its partition is granted alone. */
export const CURSOR_KEY_PARTITION = 'SECRET#CURSOR';
export const cursorKeyItemKey = { pk: CURSOR_KEY_PARTITION, sk: 'SECRET' } as const;

/** The table's definition for the embedded store; the CDK stack declares the same keys. */
export function configTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export const nowEpochSeconds = (now: Date = new Date()) => Math.floor(now.getTime() / 1000);

/** True when the item carries an `expiresAt` that has passed. */
export function isExpired(item: Record<string, unknown>, now: Date = new Date()): boolean {
  const expiresAt = item.expiresAt;
  return typeof expiresAt === 'number' && expiresAt <= nowEpochSeconds(now);
}

/** The document client every repository uses, in the cloud and on dynalite alike. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
