import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DependencyCheck } from '../domain/readiness.ts';
import type { ApiKeyRepository } from '../stores/api-key-repository.ts';
import type { ConfigTable } from '../stores/dynamodb/config-table.ts';
import { DynamoDbApiKeyRepository } from '../stores/dynamodb/dynamodb-api-key-repository.ts';
import { DynamoDbIdempotencyStore } from '../stores/dynamodb/dynamodb-idempotency-store.ts';
import { dynamoDbRegistryStores } from '../stores/dynamodb/dynamodb-registry-repository.ts';
import { DynamoDbTenantRepository } from '../stores/dynamodb/dynamodb-tenant-repository.ts';
import type { IdempotencyStore } from '../stores/idempotency-store.ts';
import type { RegistryStores } from '../stores/registry-repository.ts';
import type { TenantRepository } from '../stores/tenant-repository.ts';
import type { TimeSeriesStore } from '../stores/time-series.ts';

/**
 * The stores a container can reach. Each is built on first use, so a function that never touches
 * the time series needs neither its environment variables nor its permissions.
 */
export interface StoreFactories {
  configTable: () => ConfigTable;
  timeSeries: () => TimeSeriesStore;
}

function once<T>(factory: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: factory() };
    return value.v;
  };
}

/**
 * Everything a handler or job reaches through ports. One instance per container: the cloud
 * wiring builds it from the environment, the local runtime and tests install one over embedded
 * stores. Repositories are the same classes in both; only the stores differ.
 */
export class Runtime {
  readonly #configTable: () => ConfigTable;
  readonly #timeSeries: () => TimeSeriesStore;
  readonly clock: () => Date;

  constructor(stores: StoreFactories, clock: () => Date = () => new Date()) {
    this.#configTable = once(stores.configTable);
    this.#timeSeries = once(stores.timeSeries);
    this.clock = clock;
  }

  get configTable(): ConfigTable {
    return this.#configTable();
  }

  get timeSeries(): TimeSeriesStore {
    return this.#timeSeries();
  }

  readonly #apiKeys = once(() => new DynamoDbApiKeyRepository(this.configTable));
  get apiKeys(): ApiKeyRepository {
    return this.#apiKeys();
  }

  readonly #tenants = once(() => new DynamoDbTenantRepository(this.configTable));
  get tenants(): TenantRepository {
    return this.#tenants();
  }

  readonly #registry = once(() => dynamoDbRegistryStores(this.configTable));
  /** Operators, connectors, connections, accounts, projects, settings, price plans. */
  get registry(): RegistryStores {
    return this.#registry();
  }

  readonly #idempotency = once(() => new DynamoDbIdempotencyStore(this.configTable));
  get idempotency(): IdempotencyStore {
    return this.#idempotency();
  }

  /** What `/health/ready` probes: each store, by a read that needs no more than read access. */
  readinessChecks(): DependencyCheck[] {
    return [
      {
        name: 'config',
        check: async () => {
          const { doc, tableName } = this.configTable;
          await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
        },
      },
      { name: 'timeseries', check: () => this.timeSeries.ping() },
    ];
  }
}
