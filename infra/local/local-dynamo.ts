import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The client side of the embedded DynamoDB, apart from embedded-stores.ts so that Lambda worker
 * threads reach dynalite without loading dynalite or DuckDB themselves.
 */
export const LOCAL_TABLE_NAME = 'meterhouse-config';

/**
 * The embedded DynamoDB admits only requests signed with its access key id (dynalite-auth.ts);
 * it verifies no signature, so the secret access key only has to satisfy the SDK's signer.
 */
export function localDynamoClient(endpoint: string, accessKeyId: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}
