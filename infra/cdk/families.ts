import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RouteEntry, ScheduleEntry } from '#lib/manifest-types.ts';

/**
 * The nested stacks manifest functions are deployed in, one per contract family. CloudFormation allows 500
 * resources per stack and each manifest function brings about seven (function, role, policy, log group,
 * permission, integration, route), so a single stack for every route would soon run out.
 */
export const FAMILIES = [
  'Core',
  'Ingest',
  'DeliveryAnalytics',
  'Registry',
  'PlatformMetrics',
  'UsageCost',
  'DeveloperUsage',
  'Jobs',
] as const;

export type Family = (typeof FAMILIES)[number];

/** A route's family by its function-name prefix; the first match wins, and a route matching none is Core. */
const ROUTE_FAMILY_PREFIXES: readonly (readonly [prefix: string, family: Family])[] = [
  ['registry-', 'Registry'],
  ['delivery-', 'DeliveryAnalytics'],
  ['prometheus-', 'DeliveryAnalytics'],
  ['platform-', 'PlatformMetrics'],
  ['usage-analytics-', 'UsageCost'],
  ['developer-', 'DeveloperUsage'],
  ['ingest-', 'Ingest'],
];

/**
 * The one place a manifest entry is assigned its nested stack: every job in Jobs, every route by its prefix.
 * A new family's routes land in Core until a prefix row is added here; the resource budget says when.
 */
export function familyOf(entry: RouteEntry | ScheduleEntry): Family {
  if ('expression' in entry) return 'Jobs';
  return ROUTE_FAMILY_PREFIXES.find(([prefix]) => entry.function.startsWith(prefix))?.[1] ?? 'Core';
}

/**
 * Resources a stack may hold: CloudFormation refuses more than 500, and CDK starts warning at 80% of that.
 * Synthesis fails when a stack reaches the budget, so the warning is never the first sign.
 */
export const STACK_RESOURCE_BUDGET = 400;

/** The resources CloudFormation will count for this stack: its own, not those of its nested stacks. */
export function resourceCount(stack: Stack): number {
  return stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
}

/** Fails synthesis, naming the stack and the fix, once the stack reaches `STACK_RESOURCE_BUDGET`. */
export function guardResourceBudget(stack: Stack, advice: string): void {
  stack.node.addValidation({
    validate: () => {
      const count = resourceCount(stack);
      return count < STACK_RESOURCE_BUDGET
        ? []
        : [
            `${stack.node.path} holds ${count} resources; a Meterhouse stack must stay under ` +
              `${STACK_RESOURCE_BUDGET} (CloudFormation's limit is 500). ${advice}`,
          ];
    },
  });
}

/** The functions, routes, schedules and permissions of one family; shared resources stay in the parent. */
export class FamilyStack extends NestedStack {
  readonly family: Family;

  constructor(scope: Construct, family: Family) {
    super(scope, family, { description: `Meterhouse ${family} functions` });
    this.family = family;
    guardResourceBudget(
      this,
      `Split the ${family} family: give some of its manifest entries a family of their own in familyOf ` +
        '(infra/cdk/families.ts), e.g. a new name in FAMILIES and a prefix row in ROUTE_FAMILY_PREFIXES.',
    );
  }
}
