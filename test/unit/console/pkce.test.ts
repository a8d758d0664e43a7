import { describe, expect, it } from 'vitest';
import { authorizeUrl, challengeOf, randomUrlSafe, scopesOfToken } from '../../../console/src/auth/pkce.ts';

describe("the console's OAuth PKCE values", () => {
  it('derives the S256 challenge of RFC 7636 appendix B from its verifier', async () => {
    const challenge = await challengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');

    expect(challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes URL-safe verifiers of 43 to 128 characters, different each time', () => {
    const verifiers = [randomUrlSafe(32), randomUrlSafe(32), randomUrlSafe(96)];

    expect(verifiers[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifiers[0]).not.toBe(verifiers[1]);
    expect(verifiers[2]).toHaveLength(128);
  });

  it('asks for the code flow with the challenge, the scopes and the state', () => {
    const url = new URL(
      authorizeUrl('https://auth.example.com/oauth2/authorize', {
        clientId: 'client-1',
        redirectUri: 'https://console.example.com/console/callback',
        scopes: ['openid', 'marquee/read'],
        state: 'state-1',
        challenge: 'challenge-1',
      }),
    );

    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: 'https://console.example.com/console/callback',
      scope: 'openid marquee/read',
      state: 'state-1',
      code_challenge: 'challenge-1',
      code_challenge_method: 'S256',
    });
  });

  it("reads a JWT's scope claim, and nothing from a token that is not a JWT", () => {
    const payload = Buffer.from(JSON.stringify({ scope: 'marquee/read marquee/admin' })).toString(
      'base64url',
    );

    expect(scopesOfToken(`header.${payload}.signature`)).toEqual(['marquee/read', 'marquee/admin']);
    expect(scopesOfToken('not-a-jwt')).toBeUndefined();
  });
});
