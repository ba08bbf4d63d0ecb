import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV, requireEnv } from '../config/env.ts';
import { type ConfigTable, documentClient } from '../stores/dynamodb/config-table.ts';
import { DynamoDbEventIdLedger } from '../stores/dynamodb/event-id-ledger.ts';
import { createTimestreamClients } from '../stores/timestream/clients.ts';
import { TimestreamTimeSeriesStore } from '../stores/timestream/timestream-time-series-store.ts';
import { Runtime } from './runtime.ts';

/** Builds the AWS runtime from the environment the CDK `bind…` helpers set. */
export function cloudRuntime(): Runtime {
  let configTable: ConfigTable | undefined;
  const getConfigTable = (): ConfigTable => {
    configTable ??= {
      doc: documentClient(new DynamoDBClient({})),
      tableName: requireEnv(ENV.configTable),
    };
    return configTable;
  };
  return new Runtime({
    configTable: getConfigTable,
    timeSeries: () =>
      new TimestreamTimeSeriesStore({
        ...createTimestreamClients(),
        database: requireEnv(ENV.timestreamDatabase),
        table: requireEnv(ENV.timestreamTable),
        ledger: new DynamoDbEventIdLedger(getConfigTable()),
      }),
  });
}
