import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type RouteEntry, type ScheduleEntry, scheduledIn } from '#lib/manifest-types.ts';
import { routes as routeManifest } from '#lib/routes.ts';
import { schedules as scheduleManifest } from '#lib/schedules.ts';
import { GSI1 } from '#lib/stores/dynamodb/config-table.ts';
import { type Family, FamilyStack, familyOf, guardResourceBudget } from './families.ts';
import { MeterhouseFunction, type PlatformResources } from './meterhouse-function.ts';
import { acknowledgeNagFindings } from './nag-suppressions.ts';
import { TimeSeriesStore } from './time-series-store.ts';

/** Retries (EventBridge delivering, Lambda running) before a job invocation goes to the failure queue. */
const JOB_RETRY_ATTEMPTS = 2;
/** A run that could not start within the hour is superseded by later runs; jobs are idempotent re-runs. */
const JOB_MAX_EVENT_AGE = Duration.hours(1);
/** EventBridge rejects rule descriptions longer than this. */
const RULE_DESCRIPTION_MAX = 512;

export interface MeterhouseStackProps extends StackProps {
  /** The route manifest; `lib/routes.ts` unless a test substitutes one. */
  routes?: readonly RouteEntry[];
  /** The job manifest; `lib/schedules.ts` unless a test substitutes one. */
  schedules?: readonly ScheduleEntry[];
  /** Source file of a manifest function; `functions/<name>.ts` unless a test substitutes fixtures. */
  entryFor?: (functionName: string) => string | undefined;
}

/** `health-live` → `HealthLive`: the construct id, and so the logical id prefix, of a manifest function. */
export function constructIdFor(functionName: string): string {
  return functionName
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** `$default` is API Gateway's catch-all key and takes no method; every other entry is `METHOD /path`. */
export function routeKeyFor(route: RouteEntry): apigwv2.HttpRouteKey {
  if (route.path === '$default') {
    if (route.method !== 'ANY') throw new Error(`${route.function}: the $default route must use method ANY`);
    return apigwv2.HttpRouteKey.DEFAULT;
  }
  return apigwv2.HttpRouteKey.with(route.path, apigwv2.HttpMethod[route.method]);
}

/**
 * The whole Meterhouse deployment. Routes and jobs come only from the manifests: adding an entry there
 * adds its Lambda, its route or schedule, its environment and its grants, with no change here.
 *
 * The shared resources (HTTP API, config table, Timestream, alerts topic, job-failure queue, keys) live in
 * this stack; each family's functions, routes, schedules and permissions live in that family's nested
 * stack (`familyOf`), which CDK hands the shared ARNs and names as parameters.
 */
/** The stage's default route throttling (requests per second and burst, per route, all callers). */
export const API_THROTTLE_RATE_PER_SECOND = 2_000;
export const API_THROTTLE_BURST = 4_000;

export class MeterhouseStack extends Stack {
  readonly configTable: dynamodb.TableV2;
  readonly timeSeries: TimeSeriesStore;
  readonly alertsTopic: sns.Topic;
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly jobFailures: sqs.Queue;
  /** Manifest functions by their manifest name. */
  readonly functions = new Map<string, MeterhouseFunction>();
  /** The nested stack of every family that has at least one manifest entry. */
  readonly families = new Map<Family, FamilyStack>();

  constructor(scope: Construct, id: string, props: MeterhouseStackProps = {}) {
    super(scope, id, props);
    guardResourceBudget(this, 'Move resources into a nested stack (infra/cdk/families.ts).');
    const routes = props.routes ?? routeManifest;
    const schedules = props.schedules ?? scheduleManifest;

    this.configTable = new dynamodb.TableV2(this, 'ConfigTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: GSI1,
          partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
        },
      ],
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS managed key keeps key usage in CloudTrail without a key policy to maintain.
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.timeSeries = new TimeSeriesStore(this, 'TimeSeries');

    const alertsKey = new kms.Key(this, 'AlertsKey', {
      description: 'Meterhouse alerts topic',
      enableKeyRotation: true,
    });
    this.alertsTopic = new sns.Topic(this, 'AlertsTopic', { masterKey: alertsKey, enforceSSL: true });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Meterhouse public API',
      createDefaultStage: false,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Every route, all callers together: a ceiling that protects the Lambdas and the stores. Per
      // key, the handlers' own limiter (lib/domain/rate-limit.ts) counts in each container's memory;
      // HTTP APIs have no usage plans or API keys, so API Gateway cannot limit per key itself.
      throttle: { rateLimit: API_THROTTLE_RATE_PER_SECOND, burstLimit: API_THROTTLE_BURST },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTimeEpoch',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            responseLength: '$context.responseLength',
            userAgent: '$context.identity.userAgent',
            error: '$context.error.message',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    // Holds job invocations that failed after every retry, with the error, for replay.
    this.jobFailures = new sqs.Queue(this, 'JobFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const resources: PlatformResources = {
      configTable: this.configTable,
      timeSeries: this.timeSeries,
      alertsTopic: this.alertsTopic,
    };

    for (const route of routes) {
      const family = this.familyStack(familyOf(route));
      const fn = this.addFunction(
        family,
        route,
        'route',
        `${route.method} ${route.path}`,
        resources,
        props.entryFor?.(route.function),
      );
      const id = constructIdFor(route.function);
      // The integration and its invoke permission are created under the route, in the family's stack.
      new apigwv2.HttpRoute(family, `${id}Route`, {
        httpApi: this.api,
        routeKey: routeKeyFor(route),
        integration: new HttpLambdaIntegration(`${id}Integration`, fn.function),
      });
    }

    // A job the manifest keeps local (the expired-items sweep, which DynamoDB TTL replaces) gets no function.
    for (const schedule of schedules.filter((entry) => scheduledIn(entry, 'aws'))) {
      const family = this.familyStack(familyOf(schedule));
      const fn = this.addFunction(
        family,
        schedule,
        'job',
        schedule.expression,
        resources,
        props.entryFor?.(schedule.function),
      );
      // A job that throws is retried by Lambda's async invoke, then recorded with its error.
      fn.function.configureAsyncInvoke({
        retryAttempts: JOB_RETRY_ATTEMPTS,
        maxEventAge: JOB_MAX_EVENT_AGE,
        onFailure: new SqsDestination(this.jobFailures),
      });
      new events.Rule(family, `${constructIdFor(schedule.function)}Schedule`, {
        schedule: events.Schedule.expression(schedule.expression),
        description: schedule.description.slice(0, RULE_DESCRIPTION_MAX),
        // A job EventBridge could not hand to Lambda at all (throttled, deleted) lands in the same queue.
        targets: [
          new targets.LambdaFunction(fn.function, {
            retryAttempts: JOB_RETRY_ATTEMPTS,
            maxEventAge: JOB_MAX_EVENT_AGE,
            deadLetterQueue: this.jobFailures,
          }),
        ],
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'ConfigTableName', { value: this.configTable.tableName });
    new CfnOutput(this, 'TimestreamDatabaseName', { value: this.timeSeries.databaseName });
    new CfnOutput(this, 'TimestreamTableName', { value: this.timeSeries.tableName });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alertsTopic.topicArn });
    new CfnOutput(this, 'JobFailuresQueueUrl', { value: this.jobFailures.queueUrl });

    acknowledgeNagFindings(this);
  }

  private familyStack(family: Family): FamilyStack {
    let stack = this.families.get(family);
    if (stack === undefined) {
      stack = new FamilyStack(this, family);
      this.families.set(family, stack);
    }
    return stack;
  }

  private addFunction(
    scope: FamilyStack,
    spec: RouteEntry | ScheduleEntry,
    kind: 'route' | 'job',
    description: string,
    resources: PlatformResources,
    entry: string | undefined,
  ): MeterhouseFunction {
    if (this.functions.has(spec.function)) {
      throw new Error(`Manifest function ${spec.function} is declared twice; each entry needs its own file`);
    }
    const fn = new MeterhouseFunction(scope, constructIdFor(spec.function), {
      spec,
      kind,
      entry,
      description,
    }).bindAll(spec.binds, resources);
    this.functions.set(spec.function, fn);
    return fn;
  }
}
