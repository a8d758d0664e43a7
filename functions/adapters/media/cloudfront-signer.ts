/**
 * CloudFront adapter of the PlaybackSigner port: a custom policy (resource wildcard + DateLessThan)
 * signed with `@aws-sdk/cloudfront-signer`, answered as the query string CloudFront checks
 * (Policy, Signature, Key-Pair-Id, Hash-Algorithm). The key comes from a SigningKeySource.
 */
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import type { PlaybackGrant, PlaybackSigner } from '#domain/media/playback.ts';
import { DependencyError } from '#domain/errors.ts';

/** A private key and the id CloudFront knows its public half by (a key in the distribution's key group). */
export interface CloudFrontSigningKey {
  keyPairId: string;
  /** PEM. */
  privateKey: string;
}

export interface SigningKeySource {
  /** The key to sign with now (may be cached; a rotation shows up within the cache's lifetime). */
  current(): Promise<CloudFrontSigningKey>;
}

/** The CloudFront custom policy of a grant, as the JSON text that gets signed. */
export function customPolicyOf(grant: PlaybackGrant): string {
  return JSON.stringify({
    Statement: [
      { Resource: grant.resource, Condition: { DateLessThan: { 'AWS:EpochTime': grant.expiresAtEpochSec } } },
    ],
  });
}

export class CloudFrontPlaybackSigner implements PlaybackSigner {
  constructor(private readonly keys: SigningKeySource) {}

  async sign(grant: PlaybackGrant): Promise<string> {
    const { keyPairId, privateKey } = await this.keys.current();
    let signedUrl: string;
    try {
      // SHA-256 rather than the SHA-1 default: CloudFront accepts both (Hash-Algorithm names it).
      signedUrl = getSignedUrl({
        url: grant.resource,
        policy: customPolicyOf(grant),
        keyPairId,
        privateKey,
        algorithm: 'SHA256',
      });
    } catch (error) {
      // A key that does not parse is a deployment fault (the secret's content), not the caller's.
      throw new DependencyError('the playback signing key could not sign', { cause: error });
    }
    return new URL(signedUrl).search.slice(1);
  }
}
