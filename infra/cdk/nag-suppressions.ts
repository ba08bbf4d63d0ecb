import { basename, dirname, join } from 'node:path';
import {
  type App,
  type CfnResource,
  CloudFormationValidatePlugin,
  type IPolicyValidationContext,
  Names,
  NestedStack,
  type PolicyValidationPluginReport,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { MeterhouseStack } from './meterhouse-stack.ts';

/**
 * CDK's built-in CloudFormation Validate, extended to nested stack templates: the built-in instance is handed
 * only the templates of top-level stacks, so the family stacks, where nearly every resource lives, would go
 * unchecked. Registering an instance replaces the built-in one; its name, and so the `CloudFormation-Validate::`
 * prefix of acknowledgements and the feature flag that turns its errors into failures, stay the same.
 */
export class CloudFormationValidateWithNestedStacks extends CloudFormationValidatePlugin {
  private readonly app: App;

  constructor(app: App) {
    super();
    this.app = app;
  }

  override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const nested = this.app.node
      .findAll()
      .filter((construct): construct is NestedStack => NestedStack.isNestedStack(construct))
      .flatMap((stack) => {
        let top: Stack = stack;
        while (top.nestedStackParent !== undefined) top = top.nestedStackParent;
        // CDK writes a nested stack's template beside the template of the top-level stack that holds it.
        const parent = context.stackTemplates.find((t) => basename(t.templatePath) === top.templateFile);
        if (parent === undefined) return [];
        return [
          {
            ...parent,
            stackConstructPath: stack.node.path,
            templatePath: join(dirname(parent.templatePath), stack.templateFile),
          },
        ];
      });
    return super.validate({
      ...context,
      templatePaths: [...context.templatePaths, ...nested.map((t) => t.templatePath)],
      stackTemplates: [...context.stackTemplates, ...nested],
    });
  }
}

/**
 * The synthesis validations `cdk synth` runs: cdk-nag's AWS Solutions pack, which walks the construct tree,
 * nested stacks included, and honours an acknowledgement made on a resource or any of its ancestors; and
 * CloudFormation Validate over every template, nested ones included. An unacknowledged error fails synthesis.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new CloudFormationValidateWithNestedStacks(app),
  );
}

/**
 * How `resource.Arn` is spelled in a finding on a resource of `consumer`: by its logical id in its own
 * stack; in a nested stack, by the parameter CDK passes the ARN in through, which CDK names
 * `reference-to-<unique id of the resource><attribute>` (alphanumerics only). The nag test fails if that
 * naming ever changes.
 */
function arnInFindingsOf(resource: CfnResource, consumer: Stack): string {
  const owner = Stack.of(resource);
  if (owner === consumer) return `<${owner.resolve(resource.logicalId)}.Arn>`;
  return `<${`reference-to-${Names.nodeUniqueId(resource.node)}Arn`.replace(/[^A-Za-z0-9]/g, '')}>`;
}

/**
 * Every acknowledged cdk-nag (and CloudFormation validation) finding of the stack and its nested stacks,
 * each with the reason it is acceptable. cdk-nag v3 matches a finding id exactly, so wildcard findings are
 * acknowledged one resource pattern at a time and a new kind of wildcard still fails the nag test.
 */
export function acknowledgeNagFindings(stack: MeterhouseStack): void {
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason:
      "Bearer API keys are verified in the function's middleware (lib/http) against hashed keys in DynamoDB; " +
      'role and account scope are checked per route there, identically in the local runtime.',
  });

  const table = stack.configTable.node.defaultChild as CfnResource;
  for (const fn of stack.functions.values()) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions IAM defines without a resource type are granted on "*": xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords for active tracing, and for time-series bindings timestream:DescribeEndpoints ' +
        '(endpoint discovery) and timestream:SelectValues (table-less queries); none of them reads data. ' +
        'test/infra asserts that no other action is granted on "*".',
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        "Part of CDK's publish grant on the encrypted alerts topic: the wildcard spans the GenerateDataKey " +
        'variants only, on the alerts key only, which SNS needs to encrypt what the function publishes.',
    });
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnInFindingsOf(table, Stack.of(fn))}/index/*]`,
      reason:
        "The wildcard covers only the config table's own secondary indexes (gsi1), which its readers query; " +
        'it grants nothing beyond the table the function is bound to.',
    });
  }

  Validations.of(stack.jobFailures).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter queue: the on-failure destination of every job Lambda and the ' +
      'dead-letter queue of every schedule target. A dead-letter queue behind it would add nothing.',
  });

  Validations.of(stack.timeSeries.rejectedWrites).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Only Timestream writes to this bucket (reports of magnetic-store records it rejected) and only operators ' +
      'read it; access logs of a diagnostics bucket would need yet another bucket, and CloudTrail S3 data ' +
      'events audit access where an account requires it.',
  });

  for (const timestreamResource of [stack.timeSeries.database, stack.timeSeries.table]) {
    Validations.of(timestreamResource).acknowledge({
      id: 'CloudFormation-Validate::W3697',
      reason:
        'Timestream for LiveAnalytics is the cloud time-series store of DESIGN.md and remains available to ' +
        'accounts that already use it; every access goes through the time-series port ' +
        '(lib/domain/ports/time-series.ts), so moving to another store is an adapter change.',
    });
  }
}
