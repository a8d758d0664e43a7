/** OAuth 2.0 PKCE (RFC 7636) values: a random verifier and its S256 challenge. No storage here. */

const base64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** A random URL-safe string of `bytes` random bytes (43 characters for 32). */
export function randomUrlSafe(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** BASE64URL(SHA256(verifier)), the `code_challenge` for `code_challenge_method=S256`. */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** The authorization request's URL. */
export function authorizeUrl(
  endpoint: string,
  request: { clientId: string; redirectUri: string; scopes: string[]; state: string; challenge: string },
): string {
  const url = new URL(endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** The scopes a JWT's `scope` claim grants (unverified: the API checks them; this only shapes the UI). */
export function scopesOfToken(token: string): string[] | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { scope?: unknown; exp?: unknown };
    return typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  } catch {
    return undefined;
  }
}
