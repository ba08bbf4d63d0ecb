import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApiKeyRecord } from '#lib/domain/api-keys.ts';
import { DomainError } from '#lib/domain/errors.ts';
import { ROLES, type Role } from '#lib/domain/roles.ts';
import { createApiKey, createTenant } from '#lib/domain/tenants.ts';
import { type ConfigTable, documentClient } from '#lib/stores/dynamodb/config-table.ts';
import { Runtime } from '#lib/wiring/runtime.ts';
import { dataDir, readRuntimeFile, securePrivateDataDir, tightenedWarning } from './data-dir.ts';
import { LOCAL_TABLE_NAME, localDynamoClient, startEmbeddedDynamo } from './embedded-stores.ts';

const USAGE = `Usage: npm run --silent admin -- <command> [options]

Commands:
  tenants create --name NAME
  keys create --tenant ID --role platform|ingest|account [--account ID] [--name NAME]
              [--per-minute N --per-hour N --per-day N]
  keys list --tenant ID [--limit N] [--cursor C]
  keys revoke --key-id ID

Target:
  local (default)   the embedded store under METERHOUSE_DATA_DIR (default .data); works whether or
                    not \`npm start\` is running
  --table NAME      a DynamoDB table in AWS (or CONFIG_TABLE_NAME), with the default AWS credentials
                    and region (AWS_REGION / AWS_PROFILE)`;

class UsageError extends Error {}

interface Target {
  table: ConfigTable;
  close(): Promise<void>;
}

/** AWS when a table is named; else the running server's dynalite, else our own on the same files. */
async function openTarget(tableName: string | undefined): Promise<Target> {
  if (tableName) {
    const client = new DynamoDBClient({});
    return { table: { doc: documentClient(client), tableName }, close: async () => client.destroy() };
  }
  const dir = dataDir();
  const warning = tightenedWarning(dir, securePrivateDataDir(dir));
  if (warning) process.stderr.write(`${warning}\n`);
  const running = readRuntimeFile(dir);
  if (running) {
    const client = localDynamoClient(running.dynamodbEndpoint, running.dynamodbAccessKeyId);
    return {
      table: { doc: documentClient(client), tableName: LOCAL_TABLE_NAME },
      close: async () => client.destroy(),
    };
  }
  const dynamo = await startEmbeddedDynamo({ path: join(dir, 'dynamodb') });
  return { table: dynamo.table, close: () => dynamo.close() };
}

function publicKey(record: ApiKeyRecord) {
  const { secretHash: _secretHash, ...rest } = record;
  return rest;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number`);
  return n;
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

async function run(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string' },
      account: { type: 'string' },
      'key-id': { type: 'string' },
      'per-minute': { type: 'string' },
      'per-hour': { type: 'string' },
      'per-day': { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      table: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb] = positionals;
  if (values.help || !noun) throw new UsageError('');
  const command = `${noun} ${verb ?? ''}`.trim();
  const known = ['tenants create', 'keys create', 'keys list', 'keys revoke'];
  if (!known.includes(command)) throw new UsageError(`Unknown command "${command}"`);

  const target = await openTarget(values.table ?? process.env.CONFIG_TABLE_NAME);
  const runtime = new Runtime({
    configTable: () => target.table,
    timeSeries: () => {
      throw new Error('The admin CLI does not use the time series');
    },
  });
  try {
    const now = new Date();
    switch (command) {
      case 'tenants create': {
        const created = await createTenant(runtime, required(values.name, 'name'), now);
        return { tenantId: created.tenantId, name: created.name, keys: created.keys };
      }
      case 'keys create': {
        const role = required(values.role, 'role');
        if (!(ROLES as readonly string[]).includes(role)) {
          throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        }
        const limits = [values['per-minute'], values['per-hour'], values['per-day']];
        if (limits.some((v) => v !== undefined) && limits.some((v) => v === undefined)) {
          throw new UsageError('Give all of --per-minute, --per-hour and --per-day, or none');
        }
        const perMinute = positiveInt(values['per-minute'], 'per-minute');
        const perHour = positiveInt(values['per-hour'], 'per-hour');
        const perDay = positiveInt(values['per-day'], 'per-day');
        const issued = await createApiKey(
          runtime,
          {
            tenantId: required(values.tenant, 'tenant'),
            role: role as Role,
            ...(values.account ? { accountId: values.account } : {}),
            ...(values.name ? { name: values.name } : {}),
            ...(perMinute && perHour && perDay
              ? {
                  rateLimits: {
                    requestsPerMinute: perMinute,
                    requestsPerHour: perHour,
                    requestsPerDay: perDay,
                  },
                }
              : {}),
          },
          now,
        );
        return { keyId: issued.record.keyId, key: issued.key, role: issued.record.role };
      }
      case 'keys list': {
        const page = await runtime.apiKeys.listByTenant(required(values.tenant, 'tenant'), {
          limit: positiveInt(values.limit, 'limit') ?? 100,
          ...(values.cursor ? { cursor: values.cursor } : {}),
        });
        return {
          keys: page.items.map(publicKey),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        };
      }
      default: {
        const keyId = required(values['key-id'], 'key-id');
        const revoked = await runtime.apiKeys.revoke(keyId, now);
        if (!revoked) throw new UsageError(`No key ${keyId}`);
        return publicKey(revoked);
      }
    }
  } finally {
    await target.close();
  }
}

try {
  const result = await run(process.argv.slice(2));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} catch (error) {
  if (error instanceof UsageError) {
    if (error.message) process.stderr.write(`admin: ${error.message}\n\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exit(error.message ? 2 : 0);
  }
  const message = error instanceof DomainError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`admin: ${message}\n`);
  process.exit(1);
}
