import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { TimeSeriesStore } from '#lib/domain/ports/time-series.ts';
import { DuckDbTimeSeriesStore } from '#lib/stores/duckdb/duckdb-time-series-store.ts';
import { DuckDbStoreClient, serveTimeSeriesStore } from '#lib/stores/duckdb/store-channel.ts';
import { DuckDbStoreThread } from '#lib/stores/duckdb/threaded-store.ts';
import {
  type ConfigTable,
  configTableDefinition,
  documentClient,
} from '#lib/stores/dynamodb/config-table.ts';
import { Runtime } from '#lib/wiring/runtime.ts';
import { securePrivateDataDir, tightenedWarning } from './data-dir.ts';
import { newAccessKeyId, requireAccessKeyId } from './dynalite-auth.ts';
import { LOCAL_TABLE_NAME, localDynamoClient } from './local-dynamo.ts';

export { LOCAL_TABLE_NAME, localDynamoClient };

/** Creates the config table unless it exists (dynalite persists it under the data dir). */
export async function ensureConfigTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    await client.send(new CreateTableCommand(configTableDefinition(tableName)));
  }
}

export interface EmbeddedDynamo {
  endpoint: string;
  /** Every request must be signed with it (dynalite-auth.ts): give it to `localDynamoClient`. */
  accessKeyId: string;
  table: ConfigTable;
  close(): Promise<void>;
}

/**
 * Starts dynalite on loopback (LevelDB under `path`, or in memory) and ensures the table. It
 * refuses every request not signed with `accessKeyId` (random when omitted). A `path` is expected
 * inside a data dir that `securePrivateDataDir` has made private.
 */
export async function startEmbeddedDynamo(
  options: { path?: string; port?: number; accessKeyId?: string } = {},
): Promise<EmbeddedDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true, mode: 0o700 });
  const accessKeyId = options.accessKeyId ?? newAccessKeyId();
  const server: Server = requireAccessKeyId(
    dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(options.path ? { path: options.path } : {}),
    }),
    accessKeyId,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint, accessKeyId);
  try {
    await ensureConfigTable(client, LOCAL_TABLE_NAME);
  } catch (error) {
    server.close();
    throw lockedStoreError(error, options.path);
  }
  return {
    endpoint,
    accessKeyId,
    table: { doc: documentClient(client), tableName: LOCAL_TABLE_NAME },
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function lockedStoreError(error: unknown, path: string | undefined): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (path && /lock/i.test(message)) {
    return new Error(
      `The embedded DynamoDB store at ${path} is held by another process (is \`npm start\` running with ` +
        `the same METERHOUSE_DATA_DIR?). Stop it, or point METERHOUSE_DATA_DIR elsewhere.`,
    );
  }
  return error instanceof Error ? error : new Error(message);
}

export interface EmbeddedStores {
  /** Built over these stores; tests may replace it with one that wraps them. */
  runtime: Runtime;
  dynamo: EmbeddedDynamo;
  timeSeries: TimeSeriesStore;
  /** A port to the time-series store for a client in another thread (DuckDbStoreClient). */
  connectTimeSeries(): MessagePort;
  close(): Promise<void>;
}

/**
 * The embedded stores behind the local runtime, `invoke` and the tests: dynalite for config and
 * DuckDB for the time series, persisted under `dataDir` (made private to its owner first, with a
 * warning on stderr when anything in it was readable by others), or entirely in memory when it is
 * omitted.
 * With `storeThread`, DuckDB runs in a thread of its own (threaded-store.ts) and this thread is one
 * of its clients, as `npm start` does; otherwise it runs in this thread, where tests can reach it.
 */
export async function startEmbeddedStores(
  options: { dataDir?: string; clock?: () => Date; storeThread?: boolean } = {},
): Promise<EmbeddedStores> {
  const { dataDir } = options;
  if (dataDir) {
    const warning = tightenedWarning(dataDir, securePrivateDataDir(dataDir));
    if (warning) console.warn(warning);
  }
  const dynamo = await startEmbeddedDynamo(dataDir ? { path: join(dataDir, 'dynamodb') } : {});
  const path = dataDir ? join(dataDir, 'events.duckdb') : ':memory:';
  let timeSeries: TimeSeriesStore;
  let connectTimeSeries: () => MessagePort;
  let closeTimeSeries: () => Promise<void>;
  try {
    if (options.storeThread) {
      const thread = await DuckDbStoreThread.start({ path });
      const client = new DuckDbStoreClient(thread.connect());
      timeSeries = client;
      connectTimeSeries = () => thread.connect();
      closeTimeSeries = async () => {
        await client.close();
        await thread.close();
      };
    } else {
      const store = await DuckDbTimeSeriesStore.open({ path });
      timeSeries = store;
      connectTimeSeries = () => {
        const { port1, port2 } = new MessageChannel();
        serveTimeSeriesStore(store, port1);
        return port2;
      };
      closeTimeSeries = () => store.close();
    }
  } catch (error) {
    await dynamo.close();
    throw error;
  }
  const runtime = new Runtime(
    { configTable: () => dynamo.table, timeSeries: () => timeSeries },
    options.clock,
  );
  return {
    runtime,
    dynamo,
    timeSeries,
    connectTimeSeries,
    close: async () => {
      await closeTimeSeries();
      await dynamo.close();
    },
  };
}
