/**
 * Local stand-in for the API Gateway JWT authorizer: HS256 tokens signed with a per-run secret,
 * carrying the same `scope` claim (`marquee/read marquee/write marquee/admin`) the cloud checks.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface VerifiedToken {
  claims: Record<string, unknown>;
  scopes: string[];
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class DevAuthority {
  constructor(readonly secret: Buffer = randomBytes(32)) {}

  /** A token for `subject` with the given scopes, valid for `ttlSec` seconds. */
  issue(subject: string, scopes: string[], ttlSec = 12 * 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(
      JSON.stringify({
        sub: subject,
        scope: scopes.join(' '),
        iat: now,
        exp: now + ttlSec,
        iss: 'marquee-local',
      }),
    );
    const signature = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** Returns the token's claims, or undefined if it is malformed, forged or expired. */
  verify(token: string): VerifiedToken | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = createHmac('sha256', this.secret).update(`${parts[0]}.${parts[1]}`).digest();
    const given = Buffer.from(parts[2], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return undefined;
      const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
      return { claims, scopes };
    } catch {
      return undefined;
    }
  }
}
