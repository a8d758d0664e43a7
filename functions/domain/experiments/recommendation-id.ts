/**
 * Recommendation ids: a list answer signs what it was (model, version, variant, surface, user,
 * time, length) into a compact token, so attribution needs no write on the read path. The token is
 * `base64url(JSON).base64url(HMAC-SHA256 truncated to 128 bits)`; only holders of the key (the
 * serving, catalog and counting functions) can make one that verifies.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where a list was shown. Experiments assign users on the user-keyed ones. */
export const SURFACES = ['recommendations', 'rank', 'similar', 'trending'] as const;
export type Surface = (typeof SURFACES)[number];

export interface ListIdentity {
  surface: Surface;
  /** The user the list was made for; empty for lists that belong to nobody (similar, trending). */
  userId: string;
  model: string;
  version: string;
  /** Epoch ms the list was made. */
  issuedAt: number;
  /** Items in the list: a position beyond it is refused. */
  length: number;
  /** The experiment and variant that chose the model, when one did. */
  experimentId?: string;
  variant?: string;
  /** The caller named the model (`?model=`): the list is outside any experiment's figures. */
  explicitModel?: boolean;
}

/** The fields as they travel: short keys keep the token compact. */
interface WireIdentity {
  s: Surface;
  u: string;
  m: string;
  v: string;
  t: number;
  n: number;
  e?: string;
  x?: string;
  o?: 1;
}

const SIGNATURE_BYTES = 16;

const signature = (key: Uint8Array, body: string): Buffer =>
  createHmac('sha256', key).update(body).digest().subarray(0, SIGNATURE_BYTES);

/** The signed token of a list. */
export function signRecommendationId(identity: ListIdentity, key: Uint8Array): string {
  const wire: WireIdentity = {
    s: identity.surface,
    u: identity.userId,
    m: identity.model,
    v: identity.version,
    t: identity.issuedAt,
    n: identity.length,
    ...(identity.experimentId ? { e: identity.experimentId, x: identity.variant } : {}),
    ...(identity.explicitModel ? { o: 1 as const } : {}),
  };
  const body = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${body}.${signature(key, body).toString('base64url')}`;
}

/** Why a token was refused, in words a client can act on. */
export class InvalidRecommendationIdError extends Error {}

/** The list a token names; throws InvalidRecommendationIdError when it was not signed with `key`. */
export function verifyRecommendationId(token: string, key: Uint8Array): ListIdentity {
  const [body, signed, extra] = token.split('.');
  if (!body || !signed || extra !== undefined)
    throw new InvalidRecommendationIdError('is not a recommendation id (expected two dot-separated parts)');
  const given = Buffer.from(signed, 'base64url');
  const expected = signature(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new InvalidRecommendationIdError('has a bad signature: it is not a list this API answered');
  const wire = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as WireIdentity;
  return {
    surface: wire.s,
    userId: wire.u,
    model: wire.m,
    version: wire.v,
    issuedAt: wire.t,
    length: wire.n,
    ...(wire.e ? { experimentId: wire.e, variant: wire.x } : {}),
    ...(wire.o ? { explicitModel: true } : {}),
  };
}

/** Where the signing key comes from (Secrets Manager in AWS, the state folder locally). */
export interface RecommendationIdKey {
  current(): Promise<Uint8Array>;
}

/**
 * What is wrong with the recommendation ids of a batch of events: a bad signature, a list made for
 * another user, a position beyond the list. Field names as the client wrote them (`events[i]...`).
 */
export function recommendationIdProblems(
  events: readonly { userId: string; recommendationId?: string; position?: number }[],
  key: Uint8Array,
): { field: string; message: string }[] {
  return events.flatMap((event, index) => {
    if (event.recommendationId === undefined) return [];
    const field = `events[${index}].recommendationId`;
    let list: ListIdentity;
    try {
      list = verifyRecommendationId(event.recommendationId, key);
    } catch (error) {
      if (error instanceof InvalidRecommendationIdError) return [{ field, message: error.message }];
      return [{ field, message: 'is not a recommendation id (unreadable)' }];
    }
    if (list.userId !== '' && list.userId !== event.userId)
      return [{ field, message: "names another user's list" }];
    if (event.position !== undefined && event.position > list.length)
      return [{ field: `events[${index}].position`, message: `is beyond the list's ${list.length} items` }];
    return [];
  });
}
