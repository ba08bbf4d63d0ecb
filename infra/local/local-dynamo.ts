import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The client side of the embedded DynamoDB, apart from embedded-stores.ts so that Lambda worker
 * threads reach dynalite without loading dynalite or DuckDB themselves.
 */
export const LOCAL_TABLE_NAME = 'meterhouse-config';

/** Credentials are required by the SDK's signer; dynalite ignores them. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
  });
}
