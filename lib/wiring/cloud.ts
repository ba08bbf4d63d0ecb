import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV, requireEnv } from '../config/env.ts';
import { type ConfigTable, documentClient } from '../stores/dynamodb/config-table.ts';
import { DynamoDbEventIdLedger } from '../stores/dynamodb/event-id-ledger.ts';
import {
  createTimestreamQueryClient,
  createTimestreamWriteClient,
  timestreamHttpsAgent,
} from '../stores/timestream/clients.ts';
import { TimestreamEventWriter } from '../stores/timestream/timestream-event-writer.ts';
import { TimestreamQueryReader } from '../stores/timestream/timestream-query-reader.ts';
import { TimestreamTimeSeriesStore } from '../stores/timestream/timestream-time-series-store.ts';
import { once, Runtime, unboundStore } from './runtime.ts';

/**
 * Builds the AWS runtime from the environment the CDK `bind…` helpers set.
 *
 * Each `process.env.METERHOUSE_BUNDLE_*` test below is replaced by a literal when the stack bundles
 * a function (esbuild `define`, infra/cdk/bundling.ts), from the function's manifest `binds`: the
 * branch of a store the function does not bind is then dead code, and the SDK client only that
 * branch imports drops out of the bundle. The tests must stay inline (esbuild folds a literal
 * comparison, not a constant imported from another module). Unbundled, every store is built.
 */
export function cloudRuntime(): Runtime {
  const getConfigTable: () => ConfigTable =
    process.env.METERHOUSE_BUNDLE_CONFIG === 'false'
      ? () => unboundStore('config:read or config:write')
      : once(() => ({ doc: documentClient(new DynamoDBClient({})), tableName: requireEnv(ENV.configTable) }));
  return new Runtime({
    configTable: getConfigTable,
    timeSeries: () => {
      const database = requireEnv(ENV.timestreamDatabase);
      const table = requireEnv(ENV.timestreamTable);
      const httpsAgent = timestreamHttpsAgent();
      return new TimestreamTimeSeriesStore({
        ...(process.env.METERHOUSE_BUNDLE_TIMESERIES_WRITE === 'false'
          ? {}
          : {
              writer: new TimestreamEventWriter({
                client: createTimestreamWriteClient({ httpsAgent }),
                database,
                table,
                ledger: new DynamoDbEventIdLedger(getConfigTable()),
              }),
            }),
        ...(process.env.METERHOUSE_BUNDLE_TIMESERIES_READ === 'false'
          ? {}
          : {
              reader: new TimestreamQueryReader({
                client: createTimestreamQueryClient({ httpsAgent }),
                database,
                table,
              }),
            }),
      });
    },
  });
}
