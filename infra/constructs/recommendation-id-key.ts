import { Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { settings } from '#platform/declaration.ts';
import type { MarqueeFunction } from './marquee-function.ts';

/**
 * The key that signs recommendation ids: a secret CloudFormation generates (64 letters and digits,
 * never in the repository or the template), read by every function that signs or checks ids.
 */
export class RecommendationIdKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description:
        'Marquee: HMAC key signing recommendation ids (attribution of impressions, clicks and plays)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the key invalidates every recommendation id already handed out (their events could no longer be attributed); it is rotated by hand between experiments, not on a schedule.',
    });
  }

  /** Gives `fn` the secret's ARN (RECOMMENDATION_ID_KEY_SECRET) and read access to it alone. */
  bindReader(fn: MarqueeFunction): void {
    fn.addEnvironment(settings.RECOMMENDATION_ID_KEY_SECRET.env, this.secret.secretArn);
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretArn],
      }),
    );
  }
}
