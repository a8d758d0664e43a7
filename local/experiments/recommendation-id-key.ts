/**
 * The local key that signs recommendation ids: 32 random bytes, hex, generated once per state
 * folder (never committed: .marquee/ is git-ignored), served by the local Secrets Manager emulator
 * as the stack's generated secret is in AWS.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Name of the local secret (in AWS the stack creates the secret and passes its ARN). */
export const LOCAL_RECOMMENDATION_ID_SECRET = 'marquee-local-recommendation-id-key';

/** The secret string kept in `dir/recommendation-id-key`, created on first use. */
export function localRecommendationIdKey(dir: string): string {
  const file = path.join(dir, 'recommendation-id-key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}
