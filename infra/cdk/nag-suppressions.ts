import { type App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { MeterhouseStack } from './meterhouse-stack.ts';

/** cdk-nag's AWS Solutions pack as a synthesis validation: an unacknowledged error fails `cdk synth`. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/**
 * Every acknowledged cdk-nag (and CloudFormation validation) finding of the stack, each with the reason
 * it is acceptable. cdk-nag v3 matches a finding id exactly, so wildcard findings are acknowledged one
 * resource pattern at a time and a new kind of wildcard still fails the nag test.
 */
export function acknowledgeNagFindings(stack: MeterhouseStack): void {
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason:
      "Bearer API keys are verified in the function's middleware (lib/http) against hashed keys in DynamoDB; " +
      'role and account scope are checked per route there, identically in the local runtime.',
  });

  const tableLogicalId = Stack.of(stack).resolve(
    (stack.configTable.node.defaultChild as CfnResource).logicalId,
  );
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
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
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
        '(lib/stores/time-series.ts), so moving to another store is an adapter change.',
    });
  }
}
