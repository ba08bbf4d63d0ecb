import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_THROTTLE_BURST, API_THROTTLE_RATE_PER_SECOND } from '#infra/cdk/meterhouse-stack.ts';
import { configTableDefinition } from '#lib/stores/dynamodb/config-table.ts';
import { type CfnResourceJson, resourcesOfType, type Synthesized, synthesize } from './support.ts';

describe('MeterhouseStack platform resources', () => {
  let synth: Synthesized;
  const logicalId = (element: unknown) => synth.stack.getLogicalId(element as CfnElement);

  beforeAll(() => {
    synth = synthesize();
  });
  afterAll(() => synth?.cleanUp());

  describe('config table', () => {
    it('is on-demand, point-in-time recoverable, KMS encrypted, TTL on expiresAt, and retained', () => {
      synth.template.hasResource('AWS::DynamoDB::GlobalTable', {
        Properties: Match.objectLike({
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
            }),
          ],
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    it('declares the same keys and index as the embedded store (lib/stores/dynamodb/config-table.ts)', () => {
      const definition = configTableDefinition('unused');
      const [[, table]] = resourcesOfType(synth.template, 'AWS::DynamoDB::GlobalTable') as [
        [string, CfnResourceJson],
      ];
      const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
        String(a.AttributeName).localeCompare(String(b.AttributeName));
      expect(
        [...(table.Properties.AttributeDefinitions as { AttributeName: string }[])].sort(byName),
      ).toEqual([...(definition.AttributeDefinitions ?? [])].sort(byName));
      expect(table.Properties.KeySchema).toEqual(definition.KeySchema);
      expect(table.Properties.GlobalSecondaryIndexes).toEqual(definition.GlobalSecondaryIndexes);
    });
  });

  describe('Timestream', () => {
    it('encrypts the database with a rotating customer managed key and retains it', () => {
      const keyId = logicalId(synth.stack.timeSeries.key.node.defaultChild);
      synth.template.hasResource('AWS::Timestream::Database', {
        Properties: { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        DeletionPolicy: 'Retain',
      });
      synth.template.hasResourceProperties('AWS::KMS::Key', {
        Description: 'Meterhouse Timestream database',
        EnableKeyRotation: true,
      });
    });

    it('accepts late events through magnetic store writes and reports rejected ones to S3', () => {
      const bucketId = logicalId(synth.stack.timeSeries.rejectedWrites.node.defaultChild);
      synth.template.hasResource('AWS::Timestream::Table', {
        Properties: Match.objectLike({
          RetentionProperties: {
            MemoryStoreRetentionPeriodInHours: '24',
            MagneticStoreRetentionPeriodInDays: '731',
          },
          MagneticStoreWriteProperties: {
            EnableMagneticStoreWrites: true,
            MagneticStoreRejectedDataLocation: {
              S3Configuration: Match.objectLike({
                BucketName: { Ref: bucketId },
                EncryptionOption: 'SSE_S3',
              }),
            },
          },
        }),
        DeletionPolicy: 'Retain',
      });
    });

    it('partitions records by tenant, which every query names', () => {
      synth.template.hasResourceProperties('AWS::Timestream::Table', {
        Schema: {
          CompositePartitionKey: [{ Type: 'DIMENSION', Name: 'tenant_id', EnforcementInRecord: 'REQUIRED' }],
        },
      });
    });
  });

  describe('alerts topic', () => {
    it('is encrypted with a rotating customer managed key', () => {
      const keyId = logicalId(synth.stack.alertsTopic.masterKey?.node.defaultChild);
      synth.template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      synth.template.hasResourceProperties('AWS::KMS::Key', {
        Description: 'Meterhouse alerts topic',
        EnableKeyRotation: true,
      });
    });

    it('refuses publishing without TLS', () => {
      synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('HTTP API', () => {
    it('has no authorizer: the handler middleware authenticates', () => {
      synth.template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    });

    it('writes JSON access logs with the request id to a log group with retention', () => {
      const logGroupId = Object.keys(
        synth.template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 } }),
      ).find((id) => id.startsWith('ApiAccessLogs'));
      expect(logGroupId).toBeDefined();
      synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          Format: Match.stringLikeRegexp('"requestId":"\\$context\\.requestId"'),
        },
      });
    });

    it('throttles every route of the stage (the per-key limit runs in the handlers)', () => {
      synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: {
          ThrottlingRateLimit: API_THROTTLE_RATE_PER_SECOND,
          ThrottlingBurstLimit: API_THROTTLE_BURST,
        },
      });
    });
  });

  it('keeps failed job invocations in an encrypted, TLS-only queue for 14 days', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('outputs the API URL, table, Timestream database and table, topic and failure queue', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AlertsTopicArn',
        'ApiUrl',
        'ConfigTableName',
        'JobFailuresQueueUrl',
        'TimestreamDatabaseName',
        'TimestreamTableName',
      ].sort(),
    );
  });
});
