import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnQueue } from 'aws-cdk-lib/aws-mediaconvert';
import { Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { type BucketId, buckets } from '#platform/declaration.ts';
import { DeclaredBucket } from '../constructs/declared-bucket.ts';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, type MarqueeFunction } from '../constructs/marquee-function.ts';
import { acknowledgeBucketNotificationsHandler, acknowledgeWildcardResource } from '../constructs/nag.ts';
import { createDeclaredFunctions, type MarqueeFunctions } from '../declared-functions.ts';
import { wireDeclaredEvents } from '../declared-events.ts';
import type { DeclaredResources } from '../declared-resources.ts';
import { layerPaths } from '../../layers/build.ts';
import { concernOfBucket } from '../placement.ts';
import type { MarqueeSettings } from '../settings.ts';

export interface MediaStackProps extends StackProps {
  settings: MarqueeSettings;
  resources: DeclaredResources;
  functions: MarqueeFunctions;
  accessLogs: IBucket;
}

/**
 * Video ingest: the uploads bucket (its ObjectCreated notification must sit beside the ingest
 * function), the MediaConvert queue and service role, and the functions that submit jobs and
 * react to their state changes.
 */
export class MediaStack extends Stack {
  readonly queue: CfnQueue;
  readonly mediaConvertRole: Role;
  private readonly declaredResources: DeclaredResources;

  constructor(scope: Construct, id: string, props: MediaStackProps) {
    super(scope, id, props);
    this.declaredResources = props.resources;
    for (const bucketId of Object.keys(buckets) as BucketId[]) {
      if (concernOfBucket(bucketId) !== 'media') continue;
      props.resources.addBucket(
        new DeclaredBucket(this, buckets[bucketId], {
          accessLogs: props.accessLogs,
          uploadOrigins: props.settings.uploadOrigins,
        }),
      );
    }

    this.queue = new CfnQueue(this, 'MediaConvertQueue', {
      pricingPlan: 'ON_DEMAND',
      status: 'ACTIVE',
      description: `Marquee ${props.settings.stage} transcoding`,
    });
    this.mediaConvertRole = new Role(this, 'MediaConvertRole', {
      // Only MediaConvert acting for this account may assume it (the confused-deputy guard).
      assumedBy: new ServicePrincipal('mediaconvert.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': this.account },
      }),
      description: 'MediaConvert reads uploaded masters and writes renditions',
    });
    this.grantObjects(
      'uploads',
      ['s3:GetObject'],
      'MediaConvert reads masters whose keys come from each job.',
    );
    this.grantObjects(
      'media',
      ['s3:PutObject'],
      'MediaConvert writes renditions under keys each job chooses.',
    );

    // ffmpeg for the functions that measure videos (smart colour at ingest, smart crop's analysis,
    // rendition quality), with the VMAF model libvmaf needs (34 KB: not worth a layer of its own).
    const ffmpegLayer = new LayerVersion(this, 'FfmpegLayer', {
      code: Code.fromAsset(layerPaths.ffmpeg),
      compatibleArchitectures: [LAMBDA_ARCHITECTURE],
      compatibleRuntimes: [LAMBDA_RUNTIME],
      description: `Static ffmpeg 4.1 (@ffmpeg-installer/linux-${LAMBDA_ARCHITECTURE.name}) at /opt/bin/ffmpeg, VMAF v0.6.1 model at /opt/vmaf`,
    });
    const created = createDeclaredFunctions(this, 'media', { ...props, ffmpegLayer }, props.functions);
    for (const fn of created) {
      if (fn.declaration.usesMediaConvert) this.bindMediaConvert(fn);
    }
    // Only this stack's jobs: other MediaConvert users in the account must not reach mediaEvents.
    wireDeclaredEvents(this, props.functions, props.resources, {
      'aws.mediaconvert': { queue: [this.queue.attrArn] },
    });
    acknowledgeBucketNotificationsHandler(this);
  }

  /** Lets `fn` submit and read jobs on this queue, passing only this role, and tells it both ARNs. */
  private bindMediaConvert(fn: MarqueeFunction): void {
    const jobs = this.formatArn({ service: 'mediaconvert', resource: 'jobs', resourceName: '*' });
    fn.addEnvironment('MEDIACONVERT_QUEUE_ARN', this.queue.attrArn);
    fn.addEnvironment('MEDIACONVERT_ROLE_ARN', this.mediaConvertRole.roleArn);
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['mediaconvert:CreateJob'],
        resources: [this.queue.attrArn, jobs],
      }),
    );
    // Ingest probes every upload before planning; Probe has no resource-level scoping. It sits in its
    // own policy so its wildcard gets its own acknowledgement, not the one made for X-Ray on the role.
    // The client uses the regional endpoint, so neither DescribeEndpoints nor GetJob is granted.
    const probe = new Policy(this, `${fn.node.id}MediaConvertProbe`, {
      roles: [fn.executionRole],
      statements: [
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['mediaconvert:Probe'], resources: ['*'] }),
      ],
    });
    Validations.of(probe).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'MediaConvert Probe supports no resource-level permissions; it only reads the file named in the call.',
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [this.mediaConvertRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' } },
      }),
    );
    acknowledgeWildcardResource(
      fn.executionRole,
      jobs,
      'MediaConvert job ids are assigned at submission; CreateJob is limited to jobs in this account and region.',
    );
  }

  private grantObjects(bucketId: BucketId, actions: string[], reason: string): void {
    const objects = this.declaredResources.bucketFor(this, bucketId).arnForObjects('*');
    this.mediaConvertRole.addToPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [objects] }),
    );
    acknowledgeWildcardResource(this.mediaConvertRole, objects, reason);
  }
}
