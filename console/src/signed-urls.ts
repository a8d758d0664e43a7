/** Signed delivery: one signature covers every file of an asset (CloudFront custom policy). */

/** `query` goes on every request whose URL matches `resource` (`*` matches any characters). */
export interface AssetSignature {
  query: string;
  resource: string;
}

/** `url` with the asset's signature appended when it falls under the signed resource and has none. */
export function withSignature(url: string, signature: AssetSignature | undefined): string {
  if (!signature || /[?&](Signature|Policy)=/.test(url)) return url;
  const pattern = new RegExp(
    `^${signature.resource
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  if (!pattern.test(url)) return url;
  const query = signature.query.replace(/^\?/, '');
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}
