import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { newAccessKeyId, requireAccessKeyId } from '../../infra/local/dynalite-auth.ts';
import {
  type ConfigTable,
  configTableDefinition,
  documentClient,
} from '../../lib/stores/dynamodb/config-table.ts';

export interface TestDynalite {
  endpoint: string;
  /** The server refuses requests signed with any other access key id, as `npm start`'s does. */
  accessKeyId: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** A fresh config table (pk/sk + gsi1 with gsi1pk/gsi1sk), created by startDynalite. */
  tableName: string;
  /** The same table as the repositories take it. */
  table: ConfigTable;
  stop(): Promise<void>;
}

/**
 * Starts an in-memory dynalite on 127.0.0.1 (random port) and creates the config table in it.
 * Each call is an isolated server: call `stop()` in afterAll/afterEach.
 */
export async function startDynalite(): Promise<TestDynalite> {
  const accessKeyId = newAccessKeyId();
  const server = requireAccessKeyId(
    dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }),
    accessKeyId,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'test' },
    maxAttempts: 3,
  });
  const tableName = `test-${randomUUID()}`;
  const stop = async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    await client.send(new CreateTableCommand(configTableDefinition(tableName)));
  } catch (error) {
    await stop();
    throw error;
  }
  const doc = documentClient(client);
  return { endpoint, accessKeyId, client, doc, tableName, table: { doc, tableName }, stop };
}
