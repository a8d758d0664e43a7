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
  /** Browser origins allowed to PUT to the uploads bucket through presigned URLs; comma-separated. */
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
  return {
    stage,
    jwtIssuer: text('jwtIssuer'),
    jwtAudience: list(text('jwtAudience')),
    jwtScopePrefix: text('jwtScopePrefix'),
    logRetentionDays,
    uploadOrigins: list(text('uploadOrigins')),
    apiRateLimit: positiveInteger('apiRateLimit'),
    apiBurstLimit: positiveInteger('apiBurstLimit'),
    apiCorsOrigins: text('apiCorsOrigins') === 'none' ? [] : list(text('apiCorsOrigins')),
    playbackPublicKeyFiles: list(text('playbackPublicKeyFiles')),
  };
}

const list = (commaSeparated: string): string[] =>
  commaSeparated
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
