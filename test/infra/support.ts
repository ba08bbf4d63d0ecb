import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Family } from '#infra/cdk/families.ts';
import { PROJECT_ROOT } from '#infra/cdk/meterhouse-function.ts';
import { MeterhouseStack, type MeterhouseStackProps } from '#infra/cdk/meterhouse-stack.ts';
import { addNagChecks } from '#infra/cdk/nag-suppressions.ts';
import type { RouteEntry, ScheduleEntry } from '#lib/manifest-types.ts';

/** The feature flags `cdk synth` runs with, so tests assert the template that would be deployed. */
export const cdkJsonContext: Record<string, unknown> = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context;

export interface Synthesized {
  app: App;
  stack: MeterhouseStack;
  /** The parent stack's own template: the shared resources and one AWS::CloudFormation::Stack per family. */
  template: Template;
  /** The template of each family's nested stack. */
  nested: Map<Family, Template>;
  /**
   * Every template as one, each nested parameter replaced by the parent value the parent passes it, so a
   * function's grant on the config table reads `{ Fn::GetAtt: [<parent table>, Arn] }` as it would in one stack.
   */
  combined: Template;
  outdir: string;
  cleanUp: () => void;
}

interface TemplateJson {
  Parameters?: Record<string, unknown>;
  Resources: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

/** Replaces every `{ Ref: <parameter> }` of a nested template with the value the parent passes in. */
function substitute(value: unknown, parameters: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => substitute(item, parameters));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only?.[0] === 'Ref' && typeof only[1] === 'string' && only[1] in parameters) {
    return parameters[only[1]];
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, substitute(item, parameters)]));
}

/** The parent template with every nested template's resources merged in, parameters substituted. */
function combine(stack: MeterhouseStack, parent: Template, nested: Map<Family, Template>): Template {
  const parentJson = parent.toJSON() as TemplateJson;
  const resources: Record<string, unknown> = { ...parentJson.Resources };
  for (const [family, template] of nested) {
    const familyStack = stack.families.get(family);
    if (familyStack?.nestedStackResource === undefined)
      throw new Error(`${family}: no nested stack resource`);
    const resourceId = stack.getLogicalId(familyStack.nestedStackResource as CfnElement);
    const stackResource = parentJson.Resources[resourceId] as {
      Properties: { Parameters?: Record<string, unknown> };
    };
    const passed = stackResource.Properties.Parameters ?? {};
    const json = template.toJSON() as TemplateJson;
    for (const name of Object.keys(json.Parameters ?? {})) {
      if (!(name in passed)) throw new Error(`${family}: parameter ${name} gets no value from the parent`);
    }
    for (const [id, resource] of Object.entries(json.Resources)) {
      if (id in resources) throw new Error(`${family}: logical id ${id} is used by two stacks`);
      resources[id] = substitute(resource, passed);
    }
  }
  return Template.fromJSON({ ...parentJson, Resources: resources });
}

/**
 * Synthesizes the stack into a temp dir. Without `bundle`, Lambda code is a placeholder (fast); with
 * `nagChecks`, synthesis runs cdk-nag as `cdk synth` does and throws on an unacknowledged error.
 */
export function synthesize(
  props: MeterhouseStackProps = {},
  options: { bundle?: boolean; nagChecks?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'meterhouse-cdk-'));
  const app = new App({
    outdir,
    context: { ...cdkJsonContext, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const cleanUp = () => rmSync(outdir, { recursive: true, force: true });
  try {
    const stack = new MeterhouseStack(app, 'MeterhouseStack', props);
    if (options.nagChecks) addNagChecks(app);
    const template = Template.fromStack(stack);
    const nested = new Map(
      [...stack.families].map(([family, familyStack]) => [family, Template.fromStack(familyStack)] as const),
    );
    return { app, stack, template, nested, combined: combine(stack, template, nested), outdir, cleanUp };
  } catch (error) {
    cleanUp();
    throw error;
  }
}

export const FIXTURE_ENTRY = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));

/**
 * A synthetic manifest with every binding alone and in combination, plus overridden memory and timeouts,
 * so binding → environment → IAM is asserted for bindings no real entry uses yet.
 */
export const bindingMatrix = {
  routes: [
    { method: 'GET', path: '/matrix/none', function: 'matrix-none', auth: 'public', binds: [] },
    {
      method: 'GET',
      path: '/matrix/config',
      function: 'matrix-config-read',
      auth: 'account',
      binds: ['config:read'],
    },
    {
      method: 'POST',
      path: '/matrix/config',
      function: 'matrix-config-write',
      auth: 'platform',
      binds: ['config:write'],
    },
    {
      method: 'PUT',
      path: '/matrix/config/{id}',
      function: 'matrix-config-read-write',
      auth: 'platform',
      binds: ['config:read', 'config:write'],
      memoryMb: 1024,
      timeoutSeconds: 30,
    },
    {
      method: 'GET',
      path: '/matrix/config/list',
      function: 'matrix-config-cursor-key',
      auth: 'platform',
      binds: ['config:read', 'config:cursor-key'],
    },
    {
      method: 'GET',
      path: '/matrix/series',
      function: 'matrix-timeseries-read',
      auth: 'account',
      binds: ['timeseries:read'],
    },
    {
      method: 'POST',
      path: '/matrix/series',
      function: 'matrix-timeseries-write',
      auth: 'ingest',
      binds: ['timeseries:write'],
    },
    {
      method: 'DELETE',
      path: '/matrix/alerts/{id}',
      function: 'matrix-alerts-publish',
      auth: 'platform',
      binds: ['alerts:publish'],
    },
    { method: 'ANY', path: '$default', function: 'matrix-catch-all', auth: 'public', binds: [] },
  ],
  schedules: [
    {
      function: 'matrix-job-every-binding',
      expression: 'cron(0 * * * ? *)',
      description: 'Holds every binding at once.',
      binds: ['config:read', 'config:write', 'timeseries:read', 'timeseries:write', 'alerts:publish'],
      memoryMb: 256,
      timeoutSeconds: 300,
    },
    {
      function: 'matrix-job-local-only',
      expression: 'rate(1 hour)',
      description: 'Stands in locally for a cloud feature; the stack deploys nothing for it.',
      binds: ['config:read', 'config:write'],
      runtimes: ['local'],
    },
    {
      function: 'matrix-job-none',
      expression: 'rate(1 minute)',
      description: 'Holds no binding.',
      binds: [],
    },
  ],
  entryFor: () => FIXTURE_ENTRY,
} satisfies MeterhouseStackProps & { routes: RouteEntry[]; schedules: ScheduleEntry[] };

export interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
}

export interface Statement {
  effect: string;
  actions: string[];
  /** Resources as JSON strings, so `{ 'Fn::GetAtt': [...] }` compares by value. */
  resources: string[];
  /** The statement's `Condition`, if any: a grant narrowed to some items. */
  condition?: Record<string, unknown>;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function resourcesOfType(template: Template, type: string): [string, CfnResourceJson][] {
  return Object.entries(template.findResources(type) as Record<string, CfnResourceJson>);
}

/** Logical ids of the Lambda functions tagged with this manifest name. */
export function functionIdsNamed(template: Template, tagKey: string, name: string): string[] {
  return resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([, fn]) =>
      asArray(fn.Properties.Tags as { Key: string; Value: string }[]).some(
        (tag) => tag.Key === tagKey && tag.Value === name,
      ),
    )
    .map(([id]) => id);
}

export const getAtt = (logicalId: string, attribute: string) =>
  JSON.stringify({ 'Fn::GetAtt': [logicalId, attribute] });
export const ref = (logicalId: string) => JSON.stringify({ Ref: logicalId });

/** Every statement of every AWS::IAM::Policy attached to the role. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      asArray(policy.Properties.Roles).some((role) => JSON.stringify(role) === ref(roleLogicalId)),
    )
    .flatMap(([, policy]) =>
      asArray((policy.Properties.PolicyDocument as { Statement?: unknown[] } | undefined)?.Statement),
    )
    .map((raw) => {
      const statement = raw as {
        Effect: string;
        Action: string | string[];
        Resource: unknown;
        Condition?: Record<string, unknown>;
      };
      return {
        effect: statement.Effect,
        actions: asArray(statement.Action),
        resources: asArray(statement.Resource).map((resource) => JSON.stringify(resource)),
        ...(statement.Condition ? { condition: statement.Condition } : {}),
      };
    });
}

/** Resources on which the statements allow `action` without a condition (on every item). */
export function resourcesAllowing(statements: Statement[], action: string): string[] {
  return statements
    .filter(
      (statement) =>
        statement.effect === 'Allow' &&
        statement.actions.includes(action) &&
        statement.condition === undefined,
    )
    .flatMap((statement) => statement.resources);
}
