/**
 * Who the console acts as: a token kept in this tab's sessionStorage (pasted locally, or obtained
 * by the OAuth code flow with PKCE in AWS), and the scopes it carries. /docs reads the same key.
 */
import type { ConsoleAuth } from '../config.ts';
import { authorizeUrl, challengeOf, randomUrlSafe, scopesOfToken } from './pkce.ts';

const TOKEN_KEY = 'marquee.token';
const EXPIRES_KEY = 'marquee.tokenExpiresAt';
const PENDING_KEY = 'marquee.pendingSignIn';
export const CALLBACK_PATH = '/console/callback';

/** The stored token, unless it has expired. */
export function currentToken(): string | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  const expiresAt = Number(sessionStorage.getItem(EXPIRES_KEY) ?? 0);
  if (token && expiresAt && expiresAt < Date.now()) {
    forgetToken();
    return undefined;
  }
  return token;
}

/** Keeps a token; `expiresInSec` from the token endpoint when known. */
export function keepToken(token: string, expiresInSec?: number): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  if (expiresInSec) sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + expiresInSec * 1000));
  else sessionStorage.removeItem(EXPIRES_KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(EXPIRES_KEY);
}

/** Service scopes nest as the API applies them: admin includes write, which includes read. */
const NESTED: Record<string, string[]> = { admin: ['admin', 'write', 'read'], write: ['write', 'read'] };

/** Scope names without the prefix (`read`, `admin`) the console acts with, nested ones included. */
export function grantedScopes(auth: ConsoleAuth): Set<string> {
  if (auth.mode === 'none') return new Set(['read', 'write', 'admin']);
  const token = currentToken();
  const scopes = (token ? scopesOfToken(token) : undefined) ?? [];
  return new Set(
    scopes.flatMap((scope) => NESTED[scope.split('/').pop() ?? scope] ?? [scope.split('/').pop() ?? scope]),
  );
}

type OAuth = Extract<ConsoleAuth, { mode: 'oauth' }>;

/** Sends the browser to the issuer's sign-in page; `returnTo` is restored after the callback. */
export async function startSignIn(auth: OAuth, returnTo: string): Promise<void> {
  const verifier = randomUrlSafe(48);
  const state = randomUrlSafe(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
  location.assign(
    authorizeUrl(auth.authorizeUrl, {
      clientId: auth.clientId,
      redirectUri: location.origin + CALLBACK_PATH,
      scopes: auth.scopes,
      state,
      challenge: await challengeOf(verifier),
    }),
  );
}

/** Exchanges the callback's code for a token; returns the path to go back to. */
export async function completeSignIn(auth: OAuth, callback: URL): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as {
    verifier: string;
    state: string;
    returnTo: string;
  } | null;
  sessionStorage.removeItem(PENDING_KEY);
  const error = callback.searchParams.get('error');
  if (error) throw new Error(`sign-in refused: ${callback.searchParams.get('error_description') ?? error}`);
  if (!pending || callback.searchParams.get('state') !== pending.state) {
    throw new Error('sign-in answer does not match a sign-in this tab started; sign in again');
  }
  const response = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: auth.clientId,
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: location.origin + CALLBACK_PATH,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok)
    throw new Error(`the token endpoint answered ${response.status}: ${await response.text()}`);
  const tokens = (await response.json()) as { access_token: string; expires_in?: number };
  keepToken(tokens.access_token, tokens.expires_in);
  return pending.returnTo;
}
