import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for one wildcard resource on `scope`, with a
 * reason. cdk-nag 3 matches findings by exact id (`AwsSolutions-IAM5[Resource::<flattened ARN>]`),
 * so the id is computed with cdk-nag's own flattening of the resolved ARN: the acknowledgement
 * names exactly the resource that was granted and nothing else.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const flattened = flattenCfnReference(Stack.of(scope).resolve(resourceArn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flattened}]`, reason });
}

/**
 * CDK deploys files into a bucket (BucketDeployment) with its own singleton function, whose role
 * and runtime are CDK's: the managed logging policy, its wildcard object actions on the asset and
 * destination buckets (and CloudFront invalidation, which has no resource-level permission), and
 * its runtime choice are acknowledged on that construct alone.
 */
export function acknowledgeBucketDeploymentHandler(stack: Stack, destinationObjectsArn: string): void {
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) return;
  acknowledgeWildcardResource(
    handler,
    destinationObjectsArn,
    "CDK's BucketDeployment syncs the whole site, so it writes and deletes any object of the destination bucket.",
  );
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketDeployment function role (not configurable); the managed policy only lets it write logs.",
    },
    {
      id: 'AwsSolutions-L1',
      reason: "CDK's BucketDeployment function runs the runtime CDK pins for its bundled AWS CLI, not ours.",
    },
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `CDK's BucketDeployment grant (${action}) on the staged asset and the site bucket it syncs, nothing else.`,
    })),
    {
      // The default synthesizer's asset bucket: the function reads the staged site zip from it.
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      reason: "CDK's BucketDeployment reads the staged site archive from CDK's own asset bucket, read-only.",
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudFront CreateInvalidation/GetInvalidation have no resource-level permissions; CDK grants them on *.',
    },
  );
}

/**
 * CDK implements S3 -> Lambda notifications with its own singleton handler function (it avoids a
 * circular dependency between the bucket and the function's permission); its role is
 * CDK's, not ours, so the finding on it is acknowledged on that construct alone.
 */
export function acknowledgeBucketNotificationsHandler(stack: Stack): void {
  const handler = stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
  if (!handler) return;
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's BucketNotificationsHandler role (not configurable); the managed policy only lets it write logs.",
  });
}

/**
 * CDK's AwsCustomResource runs in its own singleton provider function (the post-deploy retrain
 * trigger uses it); its role and runtime are CDK's, so the findings on it are acknowledged there.
 */
export function acknowledgeCustomResourceProvider(stack: Stack): void {
  const provider = stack.node.children.find((child) =>
    child.node.id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'),
  );
  if (!provider) return;
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's AwsCustomResource provider role (not configurable); the managed policy only lets it write logs.",
  });
}
