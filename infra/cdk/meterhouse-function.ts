import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '#lib/config/env.ts';
import type { Binding, FunctionSpec } from '#lib/manifest-types.ts';
import { CURSOR_KEY_PARTITION } from '#lib/stores/dynamodb/config-table.ts';
import { cdkBundling, lambdaBundleSettings } from './bundling.ts';
import type { TimeSeriesStore } from './time-series-store.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Tag carried by every manifest Lambda; tests and operators find a function by its manifest name. */
export const FUNCTION_TAG = 'meterhouse:function';

export const SERVICE_NAME = 'meterhouse';

export type FunctionKind = 'route' | 'job';

/** What `config:read` may do: get, batch-get and query items, check conditions, describe the table. */
export const CONFIG_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

const DEFAULT_MEMORY_MB = 512;
const DEFAULT_TIMEOUT_SECONDS: Record<FunctionKind, number> = { route: 10, job: 60 };
// HTTP APIs answer 503 after 30 s whatever the Lambda does; a longer route timeout would only hide that.
const MAX_ROUTE_TIMEOUT_SECONDS = 30;

/** The platform resources a manifest `binds` entry can name. */
export interface PlatformResources {
  configTable: ITableV2;
  timeSeries: TimeSeriesStore;
  alertsTopic: ITopic;
}

export interface MeterhouseFunctionProps {
  spec: FunctionSpec;
  kind: FunctionKind;
  /** Source file; `functions/<spec.function>.ts` when omitted. */
  entry?: string;
  description?: string;
  environment?: Record<string, string>;
}

/**
 * A manifest Lambda with the Meterhouse defaults: Node 24 on arm64, ESM bundle with source maps and
 * only the SDK clients its bindings need (bundling.ts), JSON logs in its own log group, X-Ray
 * tracing, and a role that starts with nothing but that log group.
 * Everything else is added through `bind…`, which sets the environment variable and the matching
 * least-privilege grant together so the two cannot drift apart.
 */
export class MeterhouseFunction extends Construct implements iam.IGrantable {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly spec: FunctionSpec;
  readonly grantPrincipal: iam.IPrincipal;
  private readonly environment = new Map<string, string>();

  constructor(scope: Construct, id: string, props: MeterhouseFunctionProps) {
    super(scope, id);
    const { spec, kind } = props;
    this.spec = spec;
    const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS[kind];
    if (kind === 'route' && timeoutSeconds > MAX_ROUTE_TIMEOUT_SECONDS) {
      throw new Error(
        `${spec.function}: route timeout ${timeoutSeconds}s exceeds the HTTP API integration limit (${MAX_ROUTE_TIMEOUT_SECONDS}s)`,
      );
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose logs grant covers every log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Meterhouse ${spec.function}`,
    });
    this.grantPrincipal = this.role;
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry ?? `${PROJECT_ROOT}functions/${spec.function}.ts`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(timeoutSeconds),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      // One description of the bundle for the stack, the bundle-budget test and the cold-start bench.
      bundling: cdkBundling(lambdaBundleSettings(spec.binds)),
    });
    Tags.of(this).add(FUNCTION_TAG, spec.function);

    this.addEnvironment(ENV.serviceName, SERVICE_NAME);
    this.addEnvironment('NODE_OPTIONS', '--enable-source-maps');
    for (const [name, value] of Object.entries(props.environment ?? {})) this.addEnvironment(name, value);
  }

  /**
   * Merges one variable into the environment. Binding the same resource twice is harmless; giving a
   * variable a second, different value is a wiring bug and fails synthesis.
   */
  addEnvironment(name: string, value: string): this {
    const existing = this.environment.get(name);
    if (existing !== undefined && existing !== value) {
      throw new Error(`${this.spec.function}: environment variable ${name} is already set to another value`);
    }
    this.environment.set(name, value);
    this.function.addEnvironment(name, value);
    return this;
  }

  /** Applies every binding of the manifest entry. */
  bindAll(binds: readonly Binding[], resources: PlatformResources): this {
    const has = (binding: Binding) => binds.includes(binding);
    if (has('config:read') || has('config:write') || has('config:cursor-key')) {
      this.bindConfigTable(resources.configTable, {
        read: has('config:read'),
        write: has('config:write'),
        cursorKey: has('config:cursor-key'),
      });
    }
    if (has('timeseries:read') || has('timeseries:write')) {
      this.bindTimeSeries(resources.timeSeries, {
        read: has('timeseries:read'),
        write: has('timeseries:write'),
      });
    }
    if (has('alerts:publish')) this.bindAlertsTopic(resources.alertsTopic);
    return this;
  }

  /**
   * `config:write` alone grants writes only: conditional writes need no read permission. Reads are
   * listed action by action instead of `grantReadData`, which includes `dynamodb:Scan`: no function
   * needs a Scan, and on a table that holds one ledger item per ingested event a stray one is a bill
   * that grows with every event. `cursorKey` grants the cursor-sealing key's item alone (by its
   * partition key), so that a read-only list function can create it once.
   */
  bindConfigTable(table: ITableV2, access: { read: boolean; write: boolean; cursorKey?: boolean }): this {
    this.addEnvironment(ENV.configTable, table.tableName);
    if (access.read) {
      iam.Grant.addToPrincipal({
        grantee: this,
        actions: CONFIG_READ_ACTIONS,
        resourceArns: [table.tableArn, `${table.tableArn}/index/*`],
      });
    }
    if (access.write) table.grantWriteData(this);
    if (access.cursorKey) {
      iam.Grant.addToPrincipal({
        grantee: this,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resourceArns: [table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [CURSOR_KEY_PARTITION] } },
      });
    }
    return this;
  }

  bindTimeSeries(store: TimeSeriesStore, access: { read: boolean; write: boolean }): this {
    this.addEnvironment(ENV.timestreamDatabase, store.databaseName);
    this.addEnvironment(ENV.timestreamTable, store.tableName);
    if (access.read) store.grantQuery(this);
    if (access.write) store.grantWrite(this);
    return this;
  }

  /** Also grants encrypt use of the topic's customer managed key. */
  bindAlertsTopic(topic: ITopic): this {
    this.addEnvironment(ENV.alertsTopicArn, topic.topicArn);
    topic.grantPublish(this);
    return this;
  }
}
