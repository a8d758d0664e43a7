import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleConfig, ROUTE_PAGES } from '#infra/stacks/console-stack.ts';
import { type SynthesizedMarquee, synthesizeMarquee } from './synthesize-marquee.ts';

let marquee: SynthesizedMarquee;
let template: Template;
beforeAll(() => {
  marquee = synthesizeMarquee();
  template = Template.fromJSON(marquee.assembly.getStackByName(marquee.console.stackName).template);
});
afterAll(() => marquee?.cleanup());

type Rewrite = (event: { request: { uri: string } }) => { uri: string };
const routePages = new Function(`${ROUTE_PAGES}; return handler;`)() as Rewrite;
const rewritten = (uri: string) => routePages({ request: { uri } }).uri;

describe('the Console stack', () => {
  it('serves the site from a private, encrypted, TLS-only bucket that only the distribution can read (OAC)', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption).toBeDefined();
      expect(bucket.Properties.LoggingConfiguration).toBeDefined();
    }
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const allows = statements.filter((s: { Effect: string }) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const allow of allows) {
      expect(allow.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(JSON.stringify(allow.Condition)).toContain('AWS:SourceArn');
    }
    expect(
      statements.some(
        (s: { Effect: string; Condition?: unknown }) =>
          s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'),
      ),
    ).toBe(true);
  });

  it('answers HTTPS only, TLS 1.2+ on the console domain with its certificate, and logs every request', () => {
    const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
    const config = distribution.Properties.DistributionConfig;

    expect(config.Aliases).toEqual([marquee.settings.console.domain]);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: marquee.settings.console.certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.Logging.Bucket).toBeDefined();
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
  });

  it('routes console pages to the single page and leaves files alone', () => {
    expect(rewritten('/')).toBe('/console/index.html');
    expect(rewritten('/console')).toBe('/console/index.html');
    expect(rewritten('/console/audience/users/u00042')).toBe('/console/index.html');
    expect(rewritten('/console/videos/3f6c-asset')).toBe('/console/index.html');
    expect(rewritten('/console/app.js')).toBe('/console/app.js');
    expect(rewritten('/console/config.json')).toBe('/console/config.json');
    expect(rewritten('/docs')).toBe('/docs/index.html');
    expect(rewritten('/docs/swagger-ui.css')).toBe('/docs/swagger-ui.css');
  });

  it('deploys the built site with a config.json naming the API and the OAuth PKCE sign-in of the trusted issuer', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    expect(deployments[0].Properties.SourceObjectKeys).toHaveLength(2);
    expect(deployments[0].Properties.DistributionPaths).toEqual(['/console/*', '/docs/*']);

    const config = consoleConfig({ settings: marquee.settings, apiUrl: 'https://api.example.com' });

    expect(config).toEqual({
      apiUrl: 'https://api.example.com',
      auth: {
        mode: 'oauth',
        issuer: marquee.settings.jwtIssuer,
        authorizeUrl: `${marquee.settings.console.authDomain}/oauth2/authorize`,
        tokenUrl: `${marquee.settings.console.authDomain}/oauth2/token`,
        logoutUrl: `${marquee.settings.console.authDomain}/logout`,
        clientId: marquee.settings.console.clientId,
        scopes: ['openid', 'marquee/read', 'marquee/write', 'marquee/admin'],
      },
    });
  });
});
