/**
 * The web console and the API reference as static files: a private S3 bucket behind CloudFront
 * (Origin Access Control, HTTPS only, TLS 1.2+ on the console's own domain, access logs), the
 * built site deployed into it, and a config.json telling the console the API's URL and how to sign
 * in (OAuth 2.0 authorization code with PKCE against the issuer the API trusts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  HttpVersion,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  SSLMethod,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Bucket, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { oauthScope } from '#platform/declaration.ts';
import { buildSiteSync, type ConsoleConfig } from '../../console/build.ts';
import { privateBucketDefaults } from '../constructs/declared-bucket.ts';
import { acknowledgeBucketDeploymentHandler } from '../constructs/nag.ts';
import type { MarqueeSettings } from '../settings.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ConsoleStackProps extends StackProps {
  settings: MarqueeSettings;
  /** The HTTP API's base URL the console calls. */
  apiUrl: string;
  accessLogs: IBucket;
}

/**
 * CloudFront viewer-request function: console pages (`/console/audience/users/u1`) are the single
 * page's index.html; `/` and `/docs` get their index files. Files keep their own path.
 */
export const ROUTE_PAGES = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console' || uri === '/console/') {
    request.uri = '/console/index.html';
  } else if (uri === '/docs' || uri === '/docs/') {
    request.uri = '/docs/index.html';
  } else if (uri.indexOf('/console/') === 0 && uri.split('/').pop().indexOf('.') === -1) {
    request.uri = '/console/index.html';
  }
  return request;
}`;

export class ConsoleStack extends Stack {
  readonly distribution: Distribution;
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const site = new Bucket(this, 'SiteBucket', {
      ...privateBucketDefaults,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console-site/',
    });
    // CloudFront's standard logs are written with ACLs: this bucket alone lets the object writer own them.
    const logs = new Bucket(this, 'DistributionLogs', {
      ...privateBucketDefaults,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'console-distribution-logs/',
      lifecycleRules: [{ expiration: Duration.days(settings.logRetentionDays) }],
    });
    const domain = settings.console.domain;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Marquee ${settings.stage} console`,
      domainNames: [domain],
      certificate: Certificate.fromCertificateArn(this, 'Certificate', settings.console.certificateArn),
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      sslSupportMethod: SSLMethod.SNI,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(site),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'RoutePages', {
              code: FunctionCode.fromInline(ROUTE_PAGES),
            }),
          },
        ],
      },
    });
    this.consoleUrl = `https://${domain}`;

    new BucketDeployment(this, 'DeploySite', {
      destinationBucket: site,
      sources: [Source.asset(builtSite()), Source.jsonData('console/config.json', consoleConfig(props))],
      distribution: this.distribution,
      distributionPaths: ['/console/*', '/docs/*'],
      memoryLimit: 512,
    });
    acknowledgeBucketDeploymentHandler(this, site.arnForObjects('*'));
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'The console is static files for operators anywhere; the data is behind the API and its scopes, so no country is blocked.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Only static files sit behind this distribution (GET/HEAD, no origin logic); the API has its own throttle and JWT scopes.',
      },
    );
    warnAboutOrigins(this, settings, this.consoleUrl);
    new CfnOutput(this, 'ConsoleUrl', { value: `${this.consoleUrl}/console/overview` });
    new CfnOutput(this, 'DistributionDomain', {
      value: this.distribution.distributionDomainName,
      description: `point ${domain} (CNAME or alias) here`,
    });
  }
}

/** The console and /docs, minified, in .marquee/console-site (git-ignored), rebuilt at each synth. */
function builtSite(): string {
  const outdir = path.join(repoRoot, '.marquee', 'console-site');
  buildSiteSync(outdir, { minify: true });
  return outdir;
}

/** What the deployed console reads: the API's URL and the hosted sign-in of the issuer the API trusts. */
export function consoleConfig(props: Pick<ConsoleStackProps, 'settings' | 'apiUrl'>): ConsoleConfig {
  const { settings } = props;
  const authDomain = settings.console.authDomain.replace(/\/+$/, '');
  return {
    apiUrl: props.apiUrl,
    auth: {
      mode: 'oauth',
      issuer: settings.jwtIssuer,
      authorizeUrl: `${authDomain}/oauth2/authorize`,
      tokenUrl: `${authDomain}/oauth2/token`,
      logoutUrl: `${authDomain}/logout`,
      clientId: settings.console.clientId,
      scopes: [
        'openid',
        ...(['read', 'write', 'admin'] as const).map((s) => oauthScope(s, settings.jwtScopePrefix)),
      ],
    },
  };
}

/** The browser calls the API and the uploads bucket from the console's origin: both must allow it. */
function warnAboutOrigins(stack: Stack, settings: MarqueeSettings, origin: string): void {
  const missing = [
    ...(settings.apiCorsOrigins.includes(origin) ? [] : ['apiCorsOrigins']),
    ...(settings.uploadOrigins.includes(origin) || settings.uploadOrigins.includes('*')
      ? []
      : ['uploadOrigins']),
  ];
  if (missing.length > 0) {
    Annotations.of(stack).addWarningV2(
      'marquee:console-origin',
      `the console at ${origin} needs ${missing.join(' and ')} to include it (-c ${missing[0]}=${origin})`,
    );
  }
}
