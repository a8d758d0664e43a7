/**
 * The playback CDN in the synthesized app: CloudFront with Origin Access Control in front of the
 * served bucket (private, no public grant), HTTPS only, requests checked against the key group, the
 * private key nowhere in a template and readable by the signing function alone.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buckets,
  type FunctionDeclaration,
  type FunctionId,
  functions,
  playbackBucket,
} from '#platform/declaration.ts';
import { concernOfFunction } from '#infra/placement.ts';
import {
  actionsOf,
  logicalIdOf,
  repoRoot,
  type StackConcern,
  type SynthesizedMarquee,
  statementsOfRole,
  synthesizeMarquee,
} from './synthesize-marquee.ts';

let marquee: SynthesizedMarquee;
beforeAll(() => {
  marquee = synthesizeMarquee();
});
afterAll(() => marquee?.cleanup());

const served = playbackBucket()!;
const signers = (Object.keys(functions) as FunctionId[]).filter((id) => {
  const declaration: FunctionDeclaration = functions[id];
  return declaration.signsPlaybackFor === served;
});
const concerns: StackConcern[] = ['data', 'media', 'ml', 'api'];

/** The template of the stack holding the playback construct (the served bucket's stack). */
function playbackTemplate(synthesized: SynthesizedMarquee = marquee): Template {
  const stackName = Stack.of(synthesized.playback!).stackName;
  return synthesized.templates[concerns.find((c) => synthesized[c].stackName === stackName)!];
}

const resourcesOf = (template: Template, type: string) => Object.values(template.findResources(type));

describe('playback CDN', () => {
  it('serves the declared bucket through Origin Access Control, HTTPS only, behind the key group', () => {
    expect(served).toBe('media');
    const template = playbackTemplate();
    const [distribution] = resourcesOf(template, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;
    const bucketId = logicalIdOf(marquee.resources.declaredBucket(served));
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0].DomainName).toEqual({ 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] });
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
    expect(config.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.TrustedKeyGroups).toEqual([
      { Ref: logicalIdOf(marquee.playback!.keyGroup) },
    ]);
    expect(config.DefaultCacheBehavior.AllowedMethods.sort()).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(config.CacheBehaviors).toBeUndefined();
    expect(config.Logging.Bucket).toBeDefined();
    const [oac] = resourcesOf(template, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
  });

  it('keeps the bucket private: every public access blocked, and only this distribution may read', () => {
    const template = playbackTemplate();
    const bucketId = logicalIdOf(marquee.resources.declaredBucket(served));
    const bucket = template.toJSON().Resources[bucketId].Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.AccessControl).toBeUndefined();
    const policy = resourcesOf(template, 'AWS::S3::BucketPolicy').find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    )!;
    const allows = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0].Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0].Action).toBe('s3:GetObject');
    const distributionId = logicalIdOf(marquee.playback!.distribution);
    expect(JSON.stringify(allows[0].Condition.StringEquals['AWS:SourceArn'])).toContain(
      `{"Ref":"${distributionId}"}`,
    );
  });

  it('trusts exactly the configured public keys and holds no private key in any template', () => {
    const template = playbackTemplate();
    const keys = resourcesOf(template, 'AWS::CloudFront::PublicKey');
    const placeholder = fs.readFileSync(path.join(repoRoot, 'infra/playback-keys/placeholder.pem'), 'utf8');
    expect(keys.map((key) => key.Properties.PublicKeyConfig.EncodedKey)).toEqual([placeholder]);
    for (const concern of concerns) {
      expect(JSON.stringify(marquee.templates[concern].toJSON())).not.toMatch(/PRIVATE KEY/);
    }
    const [secret] = resourcesOf(template, 'AWS::SecretsManager::Secret');
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it('lets only the signing function read the signing key, with GetSecretValue and nothing else', () => {
    expect(signers).toEqual(['videos']);
    const grants: { concern: StackConcern; role: unknown; actions: string[]; resource: string }[] = [];
    for (const concern of concerns) {
      for (const policy of resourcesOf(marquee.templates[concern], 'AWS::IAM::Policy')) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          const actions = actionsOf(statement);
          if (!actions.some((action) => action.startsWith('secretsmanager:'))) continue;
          grants.push({
            concern,
            role: policy.Properties.Roles,
            actions,
            resource: JSON.stringify(statement.Resource),
          });
        }
      }
    }
    const videos = marquee.functions.videos!;
    // The other secret functions read is the recommendation id key, granted to its declared readers
    // only (test/infra/security.test.ts); every other secret grant is this one.
    const recommendationKey = logicalIdOf(
      marquee.data.node.findChild('RecommendationIdKey').node.findChild('Secret'),
    );
    const others = grants.filter((grant) => grant.resource.includes(recommendationKey));
    expect(others.every((grant) => grant.actions.join() === 'secretsmanager:GetSecretValue')).toBe(true);
    expect(others.length).toBe(
      Object.values(functions).filter((fn) =>
        (fn as { settings?: readonly string[] }).settings?.includes('RECOMMENDATION_ID_KEY_SECRET'),
      ).length,
    );
    expect(grants.filter((grant) => !others.includes(grant))).toEqual([
      {
        concern: concernOfFunction('videos'),
        role: [{ Ref: logicalIdOf(videos.executionRole) }],
        actions: ['secretsmanager:GetSecretValue'],
        resource: expect.stringContaining(logicalIdOf(marquee.playback!.signingKey)),
      },
    ]);
    expect(resourcesOf(playbackTemplate(), 'AWS::SecretsManager::ResourcePolicy')).toEqual([]);
    const statements = statementsOfRole(
      marquee.templates[concernOfFunction('videos')],
      logicalIdOf(videos.executionRole),
    );
    // The CDN reads the bucket; the signing function gets no read of it.
    expect(statements.some((s) => actionsOf(s).includes('s3:GetObject'))).toBe(false);
  });

  it("hands the signing function the distribution's HTTPS URL and the secret", () => {
    const template = marquee.templates[concernOfFunction('videos')];
    const variables =
      template.toJSON().Resources[logicalIdOf(marquee.functions.videos!)].Properties.Environment.Variables;
    expect(variables.PLAYBACK_BASE_URL['Fn::Join'][1][0]).toBe('https://');
    expect(JSON.stringify(variables.PLAYBACK_BASE_URL)).toContain('DomainName');
    expect(JSON.stringify(variables.PLAYBACK_SIGNING_KEY_SECRET)).toContain(
      logicalIdOf(marquee.playback!.signingKey),
    );
    expect(variables[buckets[served].env]).toBeUndefined();
  });
});

describe('playback key rotation', () => {
  it('keeps the current key and adds the next one to the key group when a second file is listed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marquee-rotation-'));
    const next = path.join(dir, 'playback-2027-02.pem');
    fs.writeFileSync(
      next,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const rotated = synthesizeMarquee({
      context: { playbackPublicKeyFiles: `infra/playback-keys/placeholder.pem,${next}` },
    });
    try {
      const before = Object.keys(playbackTemplate().findResources('AWS::CloudFront::PublicKey'));
      const template = playbackTemplate(rotated);
      const after = Object.keys(template.findResources('AWS::CloudFront::PublicKey'));
      expect(after).toHaveLength(2);
      // Same logical id: CloudFormation leaves the current key (and its id in the secret) alone.
      expect(after).toContain(before[0]);
      const [group] = resourcesOf(template, 'AWS::CloudFront::KeyGroup');
      expect(group.Properties.KeyGroupConfig.Items.map((item: { Ref: string }) => item.Ref).sort()).toEqual(
        after.sort(),
      );
    } finally {
      rotated.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
