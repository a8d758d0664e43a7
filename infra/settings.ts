/**
 * Deployment settings, read once from CDK context (`cdk.json`, overridable with `-c key=value`).
 * The defaults are placeholders that let `npm run synth` work offline; a real deploy passes
 * `-c jwtIssuer=https://... -c jwtAudience=...`.
 */
import type { Node } from 'constructs';

export interface MarqueeSettings {
  /** Stage name (`dev`, `prod`): prefixes stack names and reaches functions as MARQUEE_STAGE. */
  stage: string;
  /** Issuer URL of the JWTs the HTTP API accepts. */
  jwtIssuer: string;
  /** Audiences (client ids) the HTTP API accepts; comma-separated in context. */
  jwtAudience: string[];
  /** Prefix of OAuth scopes: route scope `read` requires `${prefix}/read`. */
  jwtScopePrefix: string;
  /** Days CloudWatch keeps function and access logs. */
  logRetentionDays: number;
  /**
   * Browser origins allowed to upload to the uploads bucket through presigned URLs; comma-separated,
   * `none` (the default) for uploads from servers only.
   */
  uploadOrigins: string[];
  /**
   * Steady requests per second the HTTP API accepts across all routes (more get 429), and the burst
   * above it: a bound on what a leaked token or a runaway client can cost.
   */
  apiRateLimit: number;
  apiBurstLimit: number;
  /**
   * Browser origins allowed to call the HTTP API (CORS; comma-separated); `none` (the default)
   * answers no preflight, for server-side callers only.
   */
  apiCorsOrigins: string[];
  /**
   * Give each function its declared reserved concurrency (true, the default). An account whose
   * Lambda concurrency quota is still the new-account 10 cannot reserve any: `-c reservedConcurrency=off`.
   */
  reservedConcurrency: boolean;
  /** The web console's deployment (the Console stack); see infra/README.md for the Cognito setup. */
  console: {
    /** The console's own domain (console.example.com): CloudFront serves it with TLS 1.2+ only. */
    domain: string;
    /** ACM certificate for `domain`, in us-east-1 (CloudFront's region). */
    certificateArn: string;
    /** Base URL of the OAuth endpoints (Cognito hosted UI: https://NAME.auth.REGION.amazoncognito.com). */
    authDomain: string;
    /** The console's public app client (no secret, code grant with PKCE); also one of jwtAudience. */
    clientId: string;
  };
  /**
   * PEM files of the public keys CloudFront trusts for playback URLs (the key group; two during a
   * rotation), comma-separated, relative to the repository root. The default is a placeholder
   * whose private half nobody has: playback works once a real key is given (docs/video.md).
   */
  playbackPublicKeyFiles: string[];
}

/** Reads the settings from a construct node's context; throws naming the key that is missing. */
export function readSettings(node: Node): MarqueeSettings {
  const text = (key: string): string => {
    const value = node.tryGetContext(key);
    if (value === undefined || value === null || String(value).trim() === '') {
      throw new Error(`CDK context "${key}" is required (cdk.json or -c ${key}=...)`);
    }
    return String(value).trim();
  };
  const stage = text('marqueeStage');
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) {
    throw new Error(`CDK context "marqueeStage" must be lowercase letters, digits or -, got "${stage}"`);
  }
  const positiveInteger = (key: string): number => {
    const value = Number(text(key));
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`CDK context "${key}" must be a positive integer, got ${text(key)}`);
    }
    return value;
  };
  const logRetentionDays = positiveInteger('logRetentionDays');
  const jwtIssuer = text('jwtIssuer');
  // cdk.json's issuer only lets `npm run synth` work offline; no real stage may trust it.
  if (stage !== 'dev' && new URL(jwtIssuer).hostname.endsWith('.example.com')) {
    throw new Error(
      `CDK context "jwtIssuer" is the placeholder ${jwtIssuer}; stage "${stage}" needs your identity provider (-c jwtIssuer=https://...)`,
    );
  }
  const origins = (key: string) => (text(key) === 'none' ? [] : list(text(key)));
  if (origins('uploadOrigins').includes('*') || origins('apiCorsOrigins').includes('*'))
    throw new Error(
      'CDK context "uploadOrigins" and "apiCorsOrigins" name origins; "*" would let any website use them',
    );
  return {
    stage,
    jwtIssuer,
    jwtAudience: list(text('jwtAudience')),
    jwtScopePrefix: text('jwtScopePrefix'),
    logRetentionDays,
    uploadOrigins: origins('uploadOrigins'),
    apiRateLimit: positiveInteger('apiRateLimit'),
    apiBurstLimit: positiveInteger('apiBurstLimit'),
    apiCorsOrigins: origins('apiCorsOrigins'),
    reservedConcurrency: text('reservedConcurrency') !== 'off',
    console: {
      domain: text('consoleDomain'),
      certificateArn: text('consoleCertificateArn'),
      authDomain: text('consoleAuthDomain'),
      clientId: text('consoleClientId'),
    },
    playbackPublicKeyFiles: list(text('playbackPublicKeyFiles')),
  };
}

const list = (commaSeparated: string): string[] =>
  commaSeparated
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
