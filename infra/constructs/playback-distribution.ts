/**
 * Signed delivery of the served bucket (the one a function `signsPlaybackFor`): a CloudFront
 * distribution whose origin reaches the bucket through Origin Access Control (the bucket stays
 * private: the only grant is s3:GetObject to this distribution), HTTPS only, every request checked
 * against a key group. The private signing key lives in a Secrets Manager secret that no template
 * holds (the operator puts it there, docs/video.md); only the signing function may read it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  KeyGroup,
  PublicKey,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PLAYBACK_ENV } from '#adapters/media/playback-config.ts';
import type { MarqueeFunction } from './marquee-function.ts';
import { pascalCase } from './declared-table.ts';

export interface PlaybackDistributionProps {
  /** The bucket whose objects players fetch. */
  bucket: IBucket;
  /** PEM files of the trusted public keys, relative to `root`. */
  publicKeyFiles: string[];
  root: string;
  /** Receives the server access logs of the CloudFront log bucket. */
  accessLogs: IBucket;
}

export class PlaybackDistribution extends Construct {
  readonly distribution: Distribution;
  readonly keyGroup: KeyGroup;
  readonly signingKey: Secret;

  constructor(scope: Construct, id: string, props: PlaybackDistributionProps) {
    super(scope, id);
    if (props.publicKeyFiles.length === 0) throw new Error('playbackPublicKeyFiles names no public key');
    // One logical id per file name: adding a key for a rotation leaves the existing one in place.
    const publicKeys = props.publicKeyFiles.map((file) => {
      const name = pascalCase(
        path
          .basename(file)
          .replace(/\.[^.]*$/, '')
          .replace(/[^A-Za-z0-9]+/g, '-'),
      );
      const key = new PublicKey(this, `PublicKey${name}`, {
        encodedKey: readFileSync(path.resolve(props.root, file), 'utf8'),
        comment: `Marquee playback key from ${path.basename(file)}`,
      });
      new CfnOutput(this, `PublicKey${name}Id`, {
        value: key.publicKeyId,
        description: `keyPairId to store in the signing key secret with the private half of ${path.basename(file)}`,
      });
      return key;
    });
    this.keyGroup = new KeyGroup(this, 'KeyGroup', {
      items: publicKeys,
      comment: 'Keys whose signatures open Marquee playback URLs',
    });
    this.signingKey = new Secret(this, 'SigningKey', {
      description:
        'CloudFront private key for Marquee playback URLs: JSON {"keyPairId","privateKey"} (docs/video.md)',
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Marquee signed playback',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(props.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        trustedKeyGroups: [this.keyGroup],
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: CachedMethods.CACHE_GET_HEAD_OPTIONS,
        // Query strings stay out of the cache key: every viewer's signed request shares one cached copy.
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        // Any origin: the signature, not the page's origin, is the credential.
        responseHeadersPolicy: ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS_WITH_PREFLIGHT,
      },
      enableLogging: true,
      logBucket: this.cloudFrontLogBucket(props.accessLogs),
      logFilePrefix: 'cloudfront/',
    });
    this.acknowledgeFindings();
    new CfnOutput(this, 'DomainName', {
      value: this.distribution.distributionDomainName,
      description: 'Host of the signed playback URLs',
    });
    new CfnOutput(this, 'SigningKeySecretArn', {
      value: this.signingKey.secretArn,
      description: 'Put the private key here: aws secretsmanager put-secret-value (docs/video.md)',
    });
  }

  /** Gives `fn` the distribution's URL and read access to the signing key, and nothing else. */
  bindSigner(fn: MarqueeFunction): void {
    fn.addEnvironment(PLAYBACK_ENV.baseUrl, `https://${this.distribution.distributionDomainName}`);
    fn.addEnvironment(PLAYBACK_ENV.signingKeySecret, this.signingKey.secretArn);
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.signingKey.secretArn],
      }),
    );
  }

  /**
   * CloudFront's standard logs are delivered through an ACL grant, so this bucket keeps ACLs
   * (the other Marquee buckets disable them); otherwise private, encrypted, TLS-only.
   */
  private cloudFrontLogBucket(accessLogs: IBucket): Bucket {
    return new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'playback-logs/',
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
  }

  private acknowledgeFindings(): void {
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          "Where a video may be watched is each customer's licensing decision; none is restricted by default.",
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Every request must carry a valid signature, checked at the edge before the origin; a customer can attach a WAF web ACL (us-east-1) for rate limits.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin a minimum TLS version; a custom domain with an ACM certificate can (docs/video.md).',
      },
    );
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret is a CloudFront key pair: its public half must join the key group before the private half changes, so rotation is the documented two-key procedure, not a rotation Lambda.',
    });
  }
}
