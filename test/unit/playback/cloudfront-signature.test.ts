/**
 * The local CDN's signature check against URLs made by @aws-sdk/cloudfront-signer, the library the
 * signing function uses: what CloudFront accepts passes, and every way CloudFront refuses is refused.
 */
import { generateKeyPairSync } from 'node:crypto';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { describe, expect, it } from 'vitest';
import { checkSignedUrl, resourceMatches, unsignedUrlOf } from '#local/playback/cloudfront-signature.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_ID = 'K2JCJMDEHXQW5F';
const trusted = new Map([[KEY_ID, publicKey]]);
const NOW = 1_800_000_000;
const BASE = 'http://127.0.0.1:4000';

const check = (url: string, at = NOW, ip = '127.0.0.1') => checkSignedUrl(new URL(url), trusted, at, ip);

function signWithPolicy(url: string, statement: Record<string, unknown>, algorithm?: 'SHA1' | 'SHA256') {
  return getSignedUrl({
    url,
    policy: JSON.stringify({ Statement: [statement] }),
    keyPairId: KEY_ID,
    privateKey: privatePem,
    algorithm,
  });
}
const until = (epochSec: number) => ({ DateLessThan: { 'AWS:EpochTime': epochSec } });

describe('CloudFront signed URL check (local CDN)', () => {
  it('accepts a canned-policy URL until its Expires instant, and refuses it from then on', () => {
    const url = getSignedUrl({
      url: `${BASE}/assets/a1/files/video_download.mp4`,
      keyPairId: KEY_ID,
      privateKey: privatePem,
      dateLessThan: new Date((NOW + 60) * 1000),
    });
    expect(new URL(url).searchParams.get('Expires')).toBe(String(NOW + 60));
    expect(check(url, NOW + 59)).toBeUndefined();
    expect(check(url, NOW + 60)?.reason).toBe('expired');
  });

  it('refuses a canned-policy URL whose path or Expires was changed after signing', () => {
    const url = getSignedUrl({
      url: `${BASE}/assets/a1/poster.jpg`,
      keyPairId: KEY_ID,
      privateKey: privatePem,
      dateLessThan: new Date((NOW + 60) * 1000),
    });
    expect(check(url.replace('/a1/', '/a2/'))?.reason).toBe('bad-signature');
    expect(check(url.replace(`Expires=${NOW + 60}`, `Expires=${NOW + 6000}`))?.reason).toBe('bad-signature');
  });

  it('lets one custom policy with a prefix wildcard open every file under the prefix and nothing else', () => {
    const master = signWithPolicy(`${BASE}/assets/a1/hls/master.m3u8`, {
      Resource: `${BASE}/assets/a1/*`,
      Condition: until(NOW + 3600),
    });
    const query = new URL(master).search;
    expect(check(master)).toBeUndefined();
    expect(check(`${BASE}/assets/a1/hls/master_240p_00001.ts${query}`)).toBeUndefined();
    expect(check(`${BASE}/assets/a1/files/video_thumb.0000002.jpg${query}`)).toBeUndefined();
    expect(check(`${BASE}/assets/a2/hls/master.m3u8${query}`)?.reason).toBe('other-resource');
    // The trailing slash of the prefix keeps asset a1 from opening asset a10.
    expect(check(`${BASE}/assets/a10/hls/master.m3u8${query}`)?.reason).toBe('other-resource');
    expect(check(`http://localhost:4000/assets/a1/hls/master.m3u8${query}`)?.reason).toBe('other-resource');
  });

  it('verifies SHA-256 signatures (Hash-Algorithm=SHA256) as well as the SHA-1 default', () => {
    const url = signWithPolicy(
      `${BASE}/assets/a1/hls/master.m3u8`,
      { Resource: `${BASE}/assets/a1/*`, Condition: until(NOW + 10) },
      'SHA256',
    );
    expect(new URL(url).searchParams.get('Hash-Algorithm')).toBe('SHA256');
    expect(check(url)).toBeUndefined();
    // The same signature claimed as SHA-1 does not verify.
    expect(check(url.replace('Hash-Algorithm=SHA256', 'Hash-Algorithm=SHA1'))?.reason).toBe('bad-signature');
  });

  it('refuses a custom policy whose text was changed after signing (a wider resource, a later date)', () => {
    const url = new URL(
      signWithPolicy(`${BASE}/assets/a1/hls/master.m3u8`, {
        Resource: `${BASE}/assets/a1/*`,
        Condition: until(NOW + 10),
      }),
    );
    const widened = Buffer.from(
      JSON.stringify({ Statement: [{ Resource: `${BASE}/*`, Condition: until(NOW + 999_999) }] }),
    )
      .toString('base64')
      .replace(/\+/g, '-')
      .replace(/=/g, '_')
      .replace(/\//g, '~');
    url.searchParams.set('Policy', widened);
    expect(check(url.toString())?.reason).toBe('bad-signature');
  });

  it('refuses a flipped signature character, a key pair outside the key group and a foreign key', () => {
    const url = signWithPolicy(`${BASE}/assets/a1/x.ts`, {
      Resource: `${BASE}/assets/a1/*`,
      Condition: until(NOW + 10),
    });
    const signature = new URL(url).searchParams.get('Signature')!;
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(check(url.replace(signature, flipped))?.reason).toBe('bad-signature');
    expect(check(url.replace(`Key-Pair-Id=${KEY_ID}`, 'Key-Pair-Id=KOTHERKEY00001'))?.reason).toBe(
      'unknown-key-pair',
    );
    const foreign = getSignedUrl({
      url: `${BASE}/assets/a1/x.ts`,
      keyPairId: KEY_ID,
      privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      dateLessThan: new Date((NOW + 10) * 1000),
    });
    expect(check(foreign)?.reason).toBe('bad-signature');
  });

  it('answers a URL with missing signing parameters MissingKey, as CloudFront does', () => {
    expect(check(`${BASE}/assets/a1/hls/master.m3u8`)).toMatchObject({
      reason: 'missing-signature',
      code: 'MissingKey',
    });
    const url = new URL(
      signWithPolicy(`${BASE}/assets/a1/x.ts`, {
        Resource: `${BASE}/assets/a1/*`,
        Condition: until(NOW + 10),
      }),
    );
    url.searchParams.delete('Signature');
    expect(check(url.toString())?.code).toBe('MissingKey');
  });

  it('honours DateGreaterThan and IpAddress conditions', () => {
    const url = signWithPolicy(`${BASE}/assets/a1/x.ts`, {
      Resource: `${BASE}/assets/a1/*`,
      Condition: {
        ...until(NOW + 100),
        DateGreaterThan: { 'AWS:EpochTime': NOW },
        IpAddress: { 'AWS:SourceIp': '127.0.0.0/8' },
      },
    });
    expect(check(url, NOW - 1)?.reason).toBe('not-yet-valid');
    expect(check(url, NOW, '::ffff:127.0.0.9')).toBeUndefined();
    expect(check(url, NOW, '10.1.2.3')?.reason).toBe('other-ip');
  });

  it('compares the policy with the URL minus the signing parameters, other query parameters kept', () => {
    expect(unsignedUrlOf(new URL(`${BASE}/a/b.ts?x=1&Policy=p&Signature=s&Key-Pair-Id=k&y=2`))).toBe(
      `${BASE}/a/b.ts?x=1&y=2`,
    );
    expect(resourceMatches(`${BASE}/a/*`, `${BASE}/a/b.ts?x=1`)).toBe(true);
    expect(resourceMatches(`${BASE}/a/?.ts`, `${BASE}/a/b.ts`)).toBe(true);
    expect(resourceMatches(`${BASE}/a/?.ts`, `${BASE}/a/bc.ts`)).toBe(false);
    // Regular-expression characters in a resource are literal.
    expect(resourceMatches(`${BASE}/a/b.ts`, `${BASE}/a/bxts`)).toBe(false);
  });
});
