import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, familyOf, resourceCount, STACK_RESOURCE_BUDGET } from '#infra/cdk/families.ts';
import { FUNCTION_TAG } from '#infra/cdk/meterhouse-function.ts';
import type { MeterhouseStackProps } from '#infra/cdk/meterhouse-stack.ts';
import { ENV } from '#lib/config/env.ts';
import {
  type Binding,
  type FunctionSpec,
  type RouteEntry,
  type ScheduleEntry,
  scheduledIn,
} from '#lib/manifest-types.ts';
import { routes } from '#lib/routes.ts';
import { schedules } from '#lib/schedules.ts';
import { CURSOR_KEY_PARTITION } from '#lib/stores/dynamodb/config-table.ts';
import {
  bindingMatrix,
  type CfnResourceJson,
  functionIdsNamed,
  getAtt,
  ref,
  resourcesAllowing,
  resourcesOfType,
  roleStatements,
  type Synthesized,
  synthesize,
} from './support.ts';

const DYNAMODB_READS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
];
const DYNAMODB_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
/** What a family's nested stack may hold: manifest functions and what each owns, nothing shared. */
const FUNCTION_RESOURCE_TYPES = new Set([
  'AWS::Lambda::Function',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Logs::LogGroup',
  'AWS::Lambda::Permission',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::Events::Rule',
  'AWS::Lambda::EventInvokeConfig',
]);
/** What each manifest function brings, by kind: the function, its role, policy and log group, and its trigger. */
const OWNED_TYPES = {
  route: [
    'AWS::ApiGatewayV2::Integration',
    'AWS::ApiGatewayV2::Route',
    'AWS::IAM::Policy',
    'AWS::IAM::Role',
    'AWS::Lambda::Function',
    'AWS::Lambda::Permission',
    'AWS::Logs::LogGroup',
  ],
  job: [
    'AWS::Events::Rule',
    'AWS::IAM::Policy',
    'AWS::IAM::Role',
    'AWS::Lambda::EventInvokeConfig',
    'AWS::Lambda::Function',
    'AWS::Lambda::Permission',
    'AWS::Logs::LogGroup',
  ],
};

/** Whether the resource names one of these logical ids in a Ref, a GetAtt or DependsOn. */
const references = (resource: unknown, ids: ReadonlySet<string>): boolean => {
  if (Array.isArray(resource)) return resource.some((item) => references(item, ids));
  if (resource === null || typeof resource !== 'object') return false;
  const {
    Ref: target,
    'Fn::GetAtt': getAttribute,
    DependsOn: dependsOn,
  } = resource as Record<string, unknown>;
  if (typeof target === 'string' && ids.has(target)) return true;
  if (Array.isArray(getAttribute) && ids.has(String(getAttribute[0]))) return true;
  if ([dependsOn].flat().some((id) => typeof id === 'string' && ids.has(id))) return true;
  return Object.values(resource).some((item) => references(item, ids));
};

/** Actions IAM defines without a resource type: the only ones a function may hold on "*". */
const RESOURCELESS_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'timestream:DescribeEndpoints',
  'timestream:SelectValues',
]);

const cases: [
  string,
  MeterhouseStackProps & { routes: readonly RouteEntry[]; schedules: readonly ScheduleEntry[] },
][] = [
  ['the manifests in lib/', { routes, schedules }],
  ['a synthetic manifest covering every binding', bindingMatrix],
];

describe.each(cases)('stack built from %s', (_name, props) => {
  let synth: Synthesized;
  let ids: {
    table: string;
    tsTable: string;
    tsDatabase: string;
    topic: string;
    alertsKey: string;
    jobFailures: string;
  };
  // Jobs the manifest keeps local (the expired-items sweep) are not deployed.
  const cloudSchedules = props.schedules.filter((entry) => scheduledIn(entry, 'aws'));
  const localOnly = props.schedules.filter((entry) => !scheduledIn(entry, 'aws'));
  const manifestEntries: readonly (RouteEntry | ScheduleEntry)[] = [...props.routes, ...cloudSchedules];
  const entries: { spec: FunctionSpec; kind: 'route' | 'job' }[] = [
    ...props.routes.map((spec) => ({ spec, kind: 'route' as const })),
    ...cloudSchedules.map((spec) => ({ spec, kind: 'job' as const })),
  ];

  beforeAll(() => {
    synth = synthesize(props);
    const { stack } = synth;
    const logicalId = (element: unknown) => stack.getLogicalId(element as CfnElement);
    ids = {
      table: logicalId(stack.configTable.node.defaultChild),
      tsTable: logicalId(stack.timeSeries.table),
      tsDatabase: logicalId(stack.timeSeries.database),
      topic: logicalId(stack.alertsTopic.node.defaultChild),
      alertsKey: logicalId(stack.alertsTopic.masterKey?.node.defaultChild),
      jobFailures: logicalId(stack.jobFailures.node.defaultChild),
    };
  });
  afterAll(() => synth?.cleanUp());

  const lambdaOf = (name: string): [string, CfnResourceJson] => {
    const found = functionIdsNamed(synth.combined, FUNCTION_TAG, name);
    expect(found, `Lambda functions tagged ${name}`).toHaveLength(1);
    const id = found[0] as string;
    return [id, synth.combined.toJSON().Resources[id] as CfnResourceJson];
  };

  it('creates exactly one Lambda per manifest entry and no other function', () => {
    for (const { spec } of entries) lambdaOf(spec.function);
    // No CDK custom-resource provider either: log retention is an explicit LogGroup, nothing else needs one.
    synth.combined.resourceCountIs('AWS::Lambda::Function', entries.length);
  });

  it('deploys no function and no schedule for a job the manifest keeps local', () => {
    expect(localOnly.length).toBeGreaterThan(0);
    for (const job of localOnly) {
      expect(functionIdsNamed(synth.combined, FUNCTION_TAG, job.function), job.function).toEqual([]);
    }
  });

  it('grants no function dynamodb:Scan (nor dynamodb:*) on the config table or its indexes', () => {
    const policies = resourcesOfType(synth.combined, 'AWS::IAM::Policy');
    expect(policies.length).toBeGreaterThan(0);
    const actions = policies.flatMap(([, policy]) =>
      ((policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement ?? [])
        .flatMap((statement) => [statement.Action].flat())
        .filter((action) => action.toLowerCase().startsWith('dynamodb:')),
    );
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((action) => /^dynamodb:(scan|\*)$/i.test(action))).toEqual([]);
    // No wildcard that would match Scan either (dynamodb:S*, dynamodb:*Scan…).
    expect(actions.filter((action) => action.includes('*') || action.includes('?'))).toEqual([]);
  });

  it('routes every entry once, with its method and path, to its own function', () => {
    const apiRoutes = resourcesOfType(synth.combined, 'AWS::ApiGatewayV2::Route');
    expect(apiRoutes).toHaveLength(props.routes.length);
    const integrations = synth.combined.findResources('AWS::ApiGatewayV2::Integration');

    for (const route of props.routes) {
      const routeKey = route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
      const matching = apiRoutes.filter(([, r]) => r.Properties.RouteKey === routeKey);
      expect(matching, routeKey).toHaveLength(1);
      const [, apiRoute] = matching[0] as [string, CfnResourceJson];
      // Auth runs in the handler middleware, so API Gateway must let every request through to it.
      expect(apiRoute.Properties.AuthorizationType).toBe('NONE');

      const target = apiRoute.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integrationId = target['Fn::Join'][1][1].Ref;
      const integration = integrations[integrationId] as CfnResourceJson;
      const [fnId] = lambdaOf(route.function);
      expect(JSON.stringify(integration.Properties.IntegrationUri)).toBe(getAtt(fnId, 'Arn'));
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
    }
  });

  it('schedules every job once, retried, with failures kept in the job-failure queue', () => {
    const rules = resourcesOfType(synth.combined, 'AWS::Events::Rule');
    expect(rules).toHaveLength(cloudSchedules.length);
    for (const schedule of cloudSchedules) {
      const [fnId] = lambdaOf(schedule.function);
      const targeting = rules.filter(([, rule]) =>
        (rule.Properties.Targets as { Arn: unknown }[]).some(
          (target) => JSON.stringify(target.Arn) === getAtt(fnId, 'Arn'),
        ),
      );
      expect(targeting, schedule.function).toHaveLength(1);
      const [, rule] = targeting[0] as [string, CfnResourceJson];
      expect(rule.Properties.ScheduleExpression).toBe(schedule.expression);
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: JSON.parse(getAtt(ids.jobFailures, 'Arn')) },
        }),
      ]);
      synth.combined.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: JSON.parse(getAtt(ids.jobFailures, 'Arn')) } },
      });
    }
  });

  describe('nested stacks', () => {
    const allTemplates = (): [string, Template][] => [['parent', synth.template], ...synth.nested];

    it('exist for exactly the families that have manifest entries, each holding at least one function', () => {
      const families = new Set(manifestEntries.map(familyOf));
      expect([...synth.nested.keys()].sort()).toEqual([...families].sort());
      synth.template.resourceCountIs('AWS::CloudFormation::Stack', families.size);
      for (const [family, template] of synth.nested) {
        expect(resourcesOfType(template, 'AWS::Lambda::Function').length, family).toBeGreaterThanOrEqual(1);
      }
    });

    it('define every manifest function once across all templates, and nothing else as a function', () => {
      const defined = allTemplates().flatMap(([, template]) =>
        resourcesOfType(template, 'AWS::Lambda::Function').map(
          ([, fn]) =>
            (fn.Properties.Tags as { Key: string; Value: string }[] | undefined)?.find(
              (tag) => tag.Key === FUNCTION_TAG,
            )?.Value,
        ),
      );
      expect(defined.sort()).toEqual(manifestEntries.map((entry) => entry.function).sort());
    });

    it("put each function and everything it owns in its family's stack and in no other", () => {
      const combined = synth.combined.toJSON().Resources as Record<string, CfnResourceJson>;
      for (const entry of manifestEntries) {
        const family = familyOf(entry);
        for (const [name, template] of allTemplates()) {
          const found = functionIdsNamed(template, FUNCTION_TAG, entry.function);
          expect(found, `${entry.function} in ${name}`).toHaveLength(name === family ? 1 : 0);
        }
        // The function, its role and log group, then whatever refers to those, transitively.
        const [fnId, fn] = lambdaOf(entry.function);
        const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
        const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        const owned = new Set([fnId, roleId, logGroupId]);
        for (let size = 0; size !== owned.size; ) {
          size = owned.size;
          for (const [id, resource] of Object.entries(combined))
            if (references(resource, owned)) owned.add(id);
        }
        const ownResources = synth.nested.get(family)?.toJSON().Resources as Record<string, CfnResourceJson>;
        const kind = 'expression' in entry ? 'job' : 'route';
        expect([...owned].map((id) => ownResources[id]?.Type).sort(), entry.function).toEqual(
          OWNED_TYPES[kind],
        );
      }
    });

    it('keep the shared resources in the parent and receive them as parameters, never as copies', () => {
      const parentResources = synth.template.toJSON().Resources as Record<string, CfnResourceJson>;
      // The API's access log group is the parent's only resource of a type functions also have.
      const parentTypes = Object.values(parentResources).map((resource) => resource.Type);
      expect(parentTypes.filter((type) => FUNCTION_RESOURCE_TYPES.has(type))).toEqual([
        'AWS::Logs::LogGroup',
      ]);
      for (const [family, template] of synth.nested) {
        const json = template.toJSON() as {
          Parameters?: Record<string, unknown>;
          Resources: Record<string, CfnResourceJson>;
        };
        for (const resource of Object.values(json.Resources)) {
          expect(FUNCTION_RESOURCE_TYPES, family).toContain(resource.Type);
        }
        // Each parameter carries one shared resource's name or ARN, straight from the parent template.
        const stackId = synth.stack.getLogicalId(
          synth.stack.families.get(family)?.nestedStackResource as CfnElement,
        );
        const passed = (parentResources[stackId]?.Properties.Parameters ?? {}) as Record<string, unknown>;
        expect(Object.keys(passed).sort(), family).toEqual(Object.keys(json.Parameters ?? {}).sort());
        for (const [name, value] of Object.entries(passed)) {
          const reference = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
          const target = reference.Ref ?? reference['Fn::GetAtt']?.[0];
          expect(target !== undefined && target in parentResources, `${family}: ${name}`).toBe(true);
        }
      }
    });

    it(`keep every stack, parent and nested, under ${STACK_RESOURCE_BUDGET} resources, as the guard counts them`, () => {
      const stacks: [string, Stack, Template | undefined][] = [
        ['parent', synth.stack, synth.template],
        ...[...synth.stack.families].map(([family, stack]): [string, Stack, Template | undefined] => [
          family,
          stack,
          synth.nested.get(family),
        ]),
      ];
      for (const [name, stack, template] of stacks) {
        const count = Object.keys(template?.toJSON().Resources ?? {}).length;
        expect(count, name).toBeGreaterThan(0);
        expect(count, name).toBeLessThan(STACK_RESOURCE_BUDGET);
        expect(resourceCount(stack), name).toBe(count);
      }
    });
  });

  describe.each(entries.map((entry) => [entry.spec.function, entry] as const))(
    'function %s',
    (_fn, entry) => {
      const { spec, kind } = entry;
      const binds = (binding: Binding) => spec.binds.includes(binding);
      const bindsConfig = binds('config:read') || binds('config:write') || binds('config:cursor-key');
      const bindsTimeSeries = binds('timeseries:read') || binds('timeseries:write');

      it('runs Node 24 on arm64 with its memory, timeout, tracing and own JSON log group', () => {
        const [, fn] = lambdaOf(spec.function);
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          MemorySize: spec.memoryMb ?? 512,
          Timeout: spec.timeoutSeconds ?? (kind === 'route' ? 10 : 60),
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON' },
        });
        const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(synth.combined.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
      });

      it('gets exactly the environment its bindings imply', () => {
        const [, fn] = lambdaOf(spec.function);
        const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        const expected: Record<string, unknown> = {
          [ENV.serviceName]: 'meterhouse',
          NODE_OPTIONS: '--enable-source-maps',
        };
        if (bindsConfig) expected[ENV.configTable] = { Ref: ids.table };
        if (bindsTimeSeries) {
          expected[ENV.timestreamDatabase] = { Ref: ids.tsDatabase };
          expected[ENV.timestreamTable] = { 'Fn::GetAtt': [ids.tsTable, 'Name'] };
        }
        if (binds('alerts:publish')) expected[ENV.alertsTopicArn] = { Ref: ids.topic };
        expect(variables).toEqual(expected);
      });

      describe('IAM', () => {
        const statements = () => {
          const [, fn] = lambdaOf(spec.function);
          const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
          const role = synth.combined.toJSON().Resources[roleId] as CfnResourceJson;
          // Everything the role may do is in policies the tests below can read: no managed or inline extras.
          expect(role.Properties.ManagedPolicyArns).toBeUndefined();
          expect(role.Properties.Policies).toBeUndefined();
          return roleStatements(synth.combined, roleId);
        };
        const allActions = () => statements().flatMap((statement) => statement.actions);

        it('may write only to its own log group', () => {
          const [, fn] = lambdaOf(spec.function);
          const logGroupId = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
          for (const action of allActions().filter((a) => a.startsWith('logs:'))) {
            expect(resourcesAllowing(statements(), action)).toEqual([getAtt(logGroupId, 'Arn')]);
          }
          expect(allActions()).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
        });

        it('holds on "*" only actions that have no resource type, and no wildcard actions', () => {
          for (const statement of statements().filter((s) => s.resources.includes('"*"'))) {
            for (const action of statement.actions) expect(RESOURCELESS_ACTIONS).toContain(action);
          }
          // kms:GenerateDataKey* is CDK's grant for SNS encryption; it names one key.
          for (const action of allActions().filter((a) => a.includes('*'))) {
            expect(action).toBe('kms:GenerateDataKey*');
          }
          expect(statements().every((s) => s.effect === 'Allow')).toBe(true);
        });

        it('reads and writes the config table only as its bindings say', () => {
          const table = getAtt(ids.table, 'Arn');
          for (const action of DYNAMODB_READS) {
            if (binds('config:read')) expect(resourcesAllowing(statements(), action)).toContain(table);
            else expect(resourcesAllowing(statements(), action)).toEqual([]);
          }
          for (const action of DYNAMODB_WRITES) {
            if (binds('config:write')) expect(resourcesAllowing(statements(), action)).toContain(table);
            else expect(resourcesAllowing(statements(), action)).toEqual([]);
          }
          // config:cursor-key: the sealing key's item alone, by its partition key.
          const narrowed = statements().filter((s) => s.condition !== undefined);
          expect(narrowed).toEqual(
            binds('config:cursor-key')
              ? [
                  {
                    effect: 'Allow',
                    actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
                    resources: [table],
                    condition: {
                      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [CURSOR_KEY_PARTITION] },
                    },
                  },
                ]
              : [],
          );
          if (!bindsConfig) expect(allActions().filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
          const dynamoResources = statements()
            .filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')))
            .flatMap((s) => s.resources);
          for (const resource of dynamoResources) expect(resource).toContain(ids.table);
        });

        it('queries and writes Timestream only as its bindings say', () => {
          const table = getAtt(ids.tsTable, 'Arn');
          const timestreamActions = allActions().filter((a) => a.startsWith('timestream:'));
          if (!bindsTimeSeries) expect(timestreamActions).toEqual([]);
          else expect(timestreamActions).toContain('timestream:DescribeEndpoints');
          if (binds('timeseries:read'))
            expect(resourcesAllowing(statements(), 'timestream:Select')).toEqual([table]);
          else expect(timestreamActions).not.toContain('timestream:Select');
          if (binds('timeseries:write')) {
            expect(resourcesAllowing(statements(), 'timestream:WriteRecords')).toEqual([table]);
          } else {
            expect(timestreamActions).not.toContain('timestream:WriteRecords');
          }
        });

        it('publishes alerts, and uses the alerts key, only with alerts:publish', () => {
          const snsAndKms = allActions().filter((a) => a.startsWith('sns:') || a.startsWith('kms:'));
          if (!binds('alerts:publish')) {
            expect(snsAndKms).toEqual([]);
            return;
          }
          expect(resourcesAllowing(statements(), 'sns:Publish')).toEqual([ref(ids.topic)]);
          expect(resourcesAllowing(statements(), 'kms:GenerateDataKey*')).toEqual([
            getAtt(ids.alertsKey, 'Arn'),
          ]);
          expect(allActions().filter((a) => a.startsWith('sns:'))).toEqual(['sns:Publish']);
        });

        it('may send to the job-failure queue only if it is a job', () => {
          const sqsResources = resourcesAllowing(statements(), 'sqs:SendMessage');
          expect(sqsResources).toEqual(kind === 'job' ? [getAtt(ids.jobFailures, 'Arn')] : []);
        });
      });
    },
  );
});

describe('function families of the manifests in lib/', () => {
  it('give every family at least one function', () => {
    const entries = [...routes, ...schedules];
    for (const family of FAMILIES) {
      expect(entries.filter((entry) => familyOf(entry) === family).length, family).toBeGreaterThanOrEqual(1);
    }
  });
});
