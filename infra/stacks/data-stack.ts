import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type BucketId, buckets, tables } from '#platform/declaration.ts';
import { AccessLogsBucket, DeclaredBucket } from '../constructs/declared-bucket.ts';
import { DeclaredTable } from '../constructs/declared-table.ts';
import type { DeclaredResources } from '../declared-resources.ts';
import { concernOfBucket } from '../placement.ts';
import type { MarqueeSettings } from '../settings.ts';

export interface DataStackProps extends StackProps {
  settings: MarqueeSettings;
  resources: DeclaredResources;
}

/** Every declared table, the buckets no trigger ties to another stack, and the access-log bucket. */
export class DataStack extends Stack {
  /** Receives server access logs of every Marquee bucket, each under its own prefix. */
  readonly accessLogs: AccessLogsBucket;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    this.accessLogs = new AccessLogsBucket(this, 'AccessLogsBucket');
    for (const declaration of Object.values(tables)) {
      props.resources.addTable(new DeclaredTable(this, declaration));
    }
    for (const bucketId of Object.keys(buckets) as BucketId[]) {
      if (concernOfBucket(bucketId) !== 'data') continue;
      props.resources.addBucket(
        new DeclaredBucket(this, buckets[bucketId], {
          accessLogs: this.accessLogs,
          uploadOrigins: props.settings.uploadOrigins,
        }),
      );
    }
  }
}
