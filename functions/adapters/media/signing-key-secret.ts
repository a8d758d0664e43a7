/**
 * The CloudFront signing key, read from Secrets Manager and cached per container: one
 * GetSecretValue per `cacheSec` (not per request), so a rotated key reaches every container within
 * that time without a deploy. Locally AWS_ENDPOINT_URL_SECRETS_MANAGER points the client at the
 * platform's emulator. The secret holds JSON `{"keyPairId": "K...", "privateKey": "-----BEGIN ..."}`.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DependencyError } from '#domain/errors.ts';
import type { CloudFrontSigningKey, SigningKeySource } from './cloudfront-signer.ts';

let client: SecretsManagerClient | undefined;
const secretsManager = (): SecretsManagerClient => {
  client ??= new SecretsManagerClient({});
  return client;
};

/** Parses the secret's text; throws naming what is missing (never echoing the key). */
export function parseSigningKey(text: string | undefined): CloudFrontSigningKey {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new Error('it is not JSON');
  }
  const { keyPairId, privateKey } = (value ?? {}) as Record<string, unknown>;
  if (typeof keyPairId !== 'string' || !/^[A-Z0-9]+$/.test(keyPairId))
    throw new Error('keyPairId must be the id of a public key in the key group (K...)');
  if (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY-----'))
    throw new Error('privateKey must be a PEM private key');
  return { keyPairId, privateKey };
}

export class SigningKeySecret implements SigningKeySource {
  private cached?: { key: CloudFrontSigningKey; loadedAtMs: number };
  private loading?: Promise<CloudFrontSigningKey>;

  constructor(
    /** Name or ARN of the secret. */
    private readonly secretId: string,
    /** How long a read key is reused, seconds. */
    private readonly cacheSec: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  current(): Promise<CloudFrontSigningKey> {
    if (this.cached && this.nowMs() - this.cached.loadedAtMs < this.cacheSec * 1000)
      return Promise.resolve(this.cached.key);
    // Concurrent requests of one container share a single read.
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<CloudFrontSigningKey> {
    let text: string | undefined;
    try {
      const answer = await secretsManager().send(new GetSecretValueCommand({ SecretId: this.secretId }));
      text = answer.SecretString;
    } catch (error) {
      throw new DependencyError('the playback signing key could not be read', { cause: error });
    }
    let key: CloudFrontSigningKey;
    try {
      key = parseSigningKey(text);
    } catch (error) {
      throw new DependencyError(
        `the playback signing key secret is malformed: ${(error as Error).message} (see docs/video.md)`,
        { cause: error },
      );
    }
    this.cached = { key, loadedAtMs: this.nowMs() };
    return key;
  }
}
