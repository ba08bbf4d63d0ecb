import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as timestream from 'aws-cdk-lib/aws-timestream';
import { Construct } from 'constructs';

/**
 * Memory store holds the last day: alert evaluation (every minute) and today's dashboards read it,
 * and it takes writes synchronously. Anything older is written to the magnetic store, so clients
 * may send events days late (offline devices, replayed batches) without losing them.
 */
export const MEMORY_STORE_RETENTION_HOURS = 24;
/** Two years and a day: a year-over-year comparison of the oldest month still finds its data. */
export const MAGNETIC_STORE_RETENTION_DAYS = 731;

/** The Timestream LiveAnalytics database and events table, with their key and rejected-write reports. */
export class TimeSeriesStore extends Construct {
  readonly key: kms.Key;
  readonly database: timestream.CfnDatabase;
  readonly table: timestream.CfnTable;
  /** Timestream reports magnetic-store writes it rejected asynchronously here, nowhere else. */
  readonly rejectedWrites: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.key = new kms.Key(this, 'Key', {
      description: 'Meterhouse Timestream database',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.database = new timestream.CfnDatabase(this, 'Database', { kmsKeyId: this.key.keyArn });
    this.database.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.rejectedWrites = new s3.Bucket(this, 'RejectedWrites', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new timestream.CfnTable(this, 'Events', {
      databaseName: this.database.ref,
      tableName: 'events',
      retentionProperties: {
        MemoryStoreRetentionPeriodInHours: String(MEMORY_STORE_RETENTION_HOURS),
        MagneticStoreRetentionPeriodInDays: String(MAGNETIC_STORE_RETENTION_DAYS),
      },
      // Every query names one tenant (lib/query), so partitioning by tenant_id prunes all others'
      // data; a record without the dimension would be a bug, so Timestream refuses it.
      schema: {
        compositePartitionKey: [{ type: 'DIMENSION', name: 'tenant_id', enforcementInRecord: 'REQUIRED' }],
      },
      magneticStoreWriteProperties: {
        EnableMagneticStoreWrites: true,
        MagneticStoreRejectedDataLocation: {
          S3Configuration: {
            BucketName: this.rejectedWrites.bucketName,
            EncryptionOption: 'SSE_S3',
            ObjectKeyPrefix: 'events/',
          },
        },
      },
    });
    this.table.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }

  get databaseName(): string {
    return this.database.ref;
  }

  get tableName(): string {
    return this.table.attrName;
  }

  get tableArn(): string {
    return this.table.attrArn;
  }

  /**
   * Query API access to the events table. SelectValues (queries that name no table) and endpoint
   * discovery have no resource type in IAM, so they can only be granted on `*`; neither exposes data.
   */
  grantQuery(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      // DescribeTable: the readiness probe (TimestreamTimeSeriesStore.ping) runs no billed query.
      actions: ['timestream:Select', 'timestream:DescribeTable'],
      resourceArns: [this.tableArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['timestream:SelectValues', 'timestream:DescribeEndpoints'],
      resourceArns: ['*'],
    });
  }

  grantWrite(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['timestream:WriteRecords', 'timestream:DescribeTable'],
      resourceArns: [this.tableArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['timestream:DescribeEndpoints'],
      resourceArns: ['*'],
    });
  }
}
