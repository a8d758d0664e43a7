/**
 * CloudFront's check of a signed URL, for the local playback server: the same query parameters
 * (Expires or Policy, Signature, Key-Pair-Id, Hash-Algorithm), the same canned-policy
 * reconstruction, custom-policy resource wildcards (`*` any run of characters, `?` one character),
 * DateLessThan / DateGreaterThan / IpAddress conditions, RSA-SHA1 or RSA-SHA256 over the policy,
 * verified with the public key of a trusted key pair.
 */
import { createVerify, type KeyObject } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';

/** Why a request was refused; CloudFront answers all of them with 403. */
export type DenialReason =
  | 'missing-signature'
  | 'unknown-key-pair'
  | 'bad-signature'
  | 'malformed-policy'
  | 'expired'
  | 'not-yet-valid'
  | 'other-resource'
  | 'other-ip';

export interface Denial {
  reason: DenialReason;
  /** CloudFront's error code and message for the XML body. */
  code: 'MissingKey' | 'AccessDenied';
  message: string;
}

const SIGNING_PARAMETERS = new Set(['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']);

/** CloudFront's URL-safe base64 (`+` -> `-`, `=` -> `_`, `/` -> `~`) back to bytes. */
const fromCloudFrontBase64 = (text: string): Buffer =>
  Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');

/** The URL the policy talks about: the request URL without the signing parameters, others kept in order. */
export function unsignedUrlOf(url: URL): string {
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !SIGNING_PARAMETERS.has(decodeURIComponent(pair.split('=')[0])));
  return `${url.protocol}//${url.host}${url.pathname}${kept.length ? `?${kept.join('&')}` : ''}`;
}

/** Whether `url` matches a policy resource, with CloudFront's `*` and `?` wildcards. */
export function resourceMatches(resource: string, url: string): boolean {
  const pattern = resource
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`, 's').test(url);
}

interface PolicyStatement {
  Resource?: string;
  Condition: {
    DateLessThan: { 'AWS:EpochTime': number };
    DateGreaterThan?: { 'AWS:EpochTime': number };
    IpAddress?: { 'AWS:SourceIp': string };
  };
}

function parsePolicy(text: string): PolicyStatement | undefined {
  try {
    const statements = (JSON.parse(text) as { Statement?: unknown }).Statement;
    if (!Array.isArray(statements) || statements.length !== 1) return undefined;
    const statement = statements[0] as PolicyStatement;
    if (typeof statement?.Condition?.DateLessThan?.['AWS:EpochTime'] !== 'number') return undefined;
    if (statement.Resource !== undefined && typeof statement.Resource !== 'string') return undefined;
    return statement;
  } catch {
    return undefined;
  }
}

function ipAllowed(cidr: string, sourceIp: string): boolean {
  const [address, bits = '32'] = cidr.split('/');
  const ip = sourceIp.replace(/^::ffff:/, '');
  if (!isIPv4(address) || !isIPv4(ip)) return false;
  const allowed = new BlockList();
  allowed.addSubnet(address, Number(bits), 'ipv4');
  return allowed.check(ip, 'ipv4');
}

const denied = (reason: DenialReason): Denial =>
  reason === 'missing-signature'
    ? { reason, code: 'MissingKey', message: 'Missing Key-Pair-Id query parameter or cookie value' }
    : { reason, code: 'AccessDenied', message: 'Access denied' };

/**
 * Checks a request's signature as CloudFront would; undefined when it may pass.
 * `url` is the full URL the client asked for; `nowSec` seconds since the epoch.
 */
export function checkSignedUrl(
  url: URL,
  trustedKeys: ReadonlyMap<string, KeyObject>,
  nowSec: number,
  sourceIp: string,
): Denial | undefined {
  const parameters = url.searchParams;
  const keyPairId = parameters.get('Key-Pair-Id');
  const signature = parameters.get('Signature');
  const encodedPolicy = parameters.get('Policy');
  const expires = parameters.get('Expires');
  if (!keyPairId || !signature || (encodedPolicy === null && expires === null))
    return denied('missing-signature');
  const publicKey = trustedKeys.get(keyPairId);
  if (!publicKey) return denied('unknown-key-pair');
  const unsignedUrl = unsignedUrlOf(url);

  let policyText: string;
  if (encodedPolicy !== null) {
    if (expires !== null) return denied('malformed-policy');
    policyText = fromCloudFrontBase64(encodedPolicy).toString('utf8');
  } else {
    if (!/^\d+$/.test(expires!)) return denied('malformed-policy');
    // A canned policy is not sent: it is rebuilt from the URL itself, so any change to the URL breaks it.
    policyText = JSON.stringify({
      Statement: [
        { Resource: unsignedUrl, Condition: { DateLessThan: { 'AWS:EpochTime': Number(expires) } } },
      ],
    });
  }
  const algorithm = parameters.get('Hash-Algorithm') ?? 'SHA1';
  if (algorithm !== 'SHA1' && algorithm !== 'SHA256') return denied('bad-signature');
  const verifier = createVerify(`RSA-${algorithm}`);
  verifier.update(policyText);
  if (!verifier.verify(publicKey, fromCloudFrontBase64(signature))) return denied('bad-signature');

  const statement = parsePolicy(policyText);
  if (!statement) return denied('malformed-policy');
  const { DateLessThan, DateGreaterThan, IpAddress } = statement.Condition;
  if (nowSec >= DateLessThan['AWS:EpochTime']) return denied('expired');
  if (DateGreaterThan && nowSec < DateGreaterThan['AWS:EpochTime']) return denied('not-yet-valid');
  if (statement.Resource !== undefined && !resourceMatches(statement.Resource, unsignedUrl))
    return denied('other-resource');
  if (IpAddress && !ipAllowed(IpAddress['AWS:SourceIp'], sourceIp)) return denied('other-ip');
  return undefined;
}
