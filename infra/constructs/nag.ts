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
