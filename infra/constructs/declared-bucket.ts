import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
  type IBucket,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { BucketDeclaration } from '#platform/declaration.ts';
import { pascalCase } from './declared-table.ts';

/** Settings every Marquee bucket shares: private, TLS-only, encrypted, owner-enforced. */
export const privateBucketDefaults = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  encryption: BucketEncryption.S3_MANAGED,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

/**
 * The bucket that receives the other buckets' server access logs (cdk-nag's S1 exempts log
 * destinations; logging it into itself would loop).
 */
export class AccessLogsBucket extends Bucket {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      ...privateBucketDefaults,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
  }
}

export interface DeclaredBucketProps {
  /** Receives this bucket's server access logs under `<bucket id>/`. */
  accessLogs: IBucket;
  /** Browser origins allowed to POST through presigned forms (only for `presignedUploads`); none: no CORS. */
  uploadOrigins: string[];
}

/** An S3 bucket as declared: expiry rules per prefix, CORS for presigned uploads. */
export class DeclaredBucket extends Bucket {
  readonly declaration: BucketDeclaration;

  constructor(scope: Construct, declaration: BucketDeclaration, props: DeclaredBucketProps) {
    super(scope, `${pascalCase(declaration.id)}Bucket`, {
      ...privateBucketDefaults,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: `${declaration.id}/`,
      versioned: declaration.keepNoncurrentDays !== undefined,
      lifecycleRules: [
        ...(declaration.keepNoncurrentDays === undefined
          ? []
          : [
              {
                id: 'expire-noncurrent',
                noncurrentVersionExpiration: Duration.days(declaration.keepNoncurrentDays),
              },
            ]),
        // Abandoned multipart uploads cost storage and are invisible in listings.
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(declaration.expireAfterDays ?? []).map((rule) => ({
          id: `expire-${rule.prefix || 'all'}-${rule.days}d`.replace(/[^A-Za-z0-9-]/g, ''),
          prefix: rule.prefix || undefined,
          expiration: Duration.days(rule.days),
        })),
      ],
      cors:
        declaration.presignedUploads && props.uploadOrigins.length > 0
          ? [
              {
                allowedMethods: [HttpMethods.POST],
                allowedOrigins: props.uploadOrigins,
                allowedHeaders: ['*'],
                exposedHeaders: ['ETag'],
                maxAge: 3000,
              },
            ]
          : undefined,
    });
    this.declaration = declaration;
  }
}
