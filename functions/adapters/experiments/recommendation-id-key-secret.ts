/**
 * The key that signs recommendation ids, read once per container from Secrets Manager (the stack
 * generates the secret; locally the platform generates it in the state folder and its Secrets
 * Manager emulator serves it). The key is the secret string's UTF-8 bytes, at least 32 of them.
 * Not re-read: rotating it invalidates the ids already handed out, so it is a deploy-time act.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DependencyError } from '#domain/errors.ts';
import type { RecommendationIdKey } from '#domain/experiments/recommendation-id.ts';

/** Shortest key accepted, bytes (HMAC-SHA256's block is 64; NIST SP 800-107 asks ≥ the 32-byte output). */
export const MIN_KEY_BYTES = 32;

export class RecommendationIdKeySecret implements RecommendationIdKey {
  private loading?: Promise<Uint8Array>;

  constructor(
    /** Name or ARN of the secret. */
    private readonly secretId: string,
  ) {}

  current(): Promise<Uint8Array> {
    this.loading ??= this.load().catch((error) => {
      // A failed read is retried by the next request instead of being remembered.
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<Uint8Array> {
    let text: string | undefined;
    try {
      const client = new SecretsManagerClient({});
      text = (await client.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (error) {
      throw new DependencyError('the recommendation id signing key could not be read', { cause: error });
    }
    const key = Buffer.from(text ?? '', 'utf8');
    if (key.length < MIN_KEY_BYTES)
      throw new DependencyError(`the recommendation id signing key is shorter than ${MIN_KEY_BYTES} bytes`);
    return key;
  }
}
