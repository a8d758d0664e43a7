/**
 * Who is calling, from the JWT authorizer's context, and whether that caller may make this
 * request: the one place where scopes and end-user ownership are enforced for every route, from
 * the declaration (API Gateway has already checked that the token holds one accepted scope).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, UnauthorizedError } from '#domain/errors.ts';
import {
  type EndUserAccess,
  grants,
  oauthScope,
  type RouteDeclaration,
  type Scope,
  type ServiceScope,
  scopesFromOAuth,
} from '#platform/declaration.ts';

export interface Caller {
  /** The token's `sub`: a user id for end-user tokens, a client id for service tokens. */
  subject?: string;
  scopes: Scope[];
  /** Whether the caller holds `scope` or a stronger service scope. */
  can(scope: ServiceScope): boolean;
}

interface JwtContext {
  claims?: Record<string, unknown>;
  scopes?: string[] | null;
}

/**
 * The caller of an API Gateway event. Every route sits behind the JWT authorizer, so an event
 * without its context did not come through the API and is refused.
 */
export function callerOf(event: APIGatewayProxyEventV2, scopePrefix: string): Caller {
  const jwt = (event.requestContext as { authorizer?: { jwt?: JwtContext } }).authorizer?.jwt;
  if (!jwt) throw new UnauthorizedError('the request carries no verified token');
  // API Gateway fills `scopes` from the token when the route has authorization scopes; the claim
  // is the same list as one string (`scope`, or `scp` for some issuers).
  const claim = jwt.claims?.scope ?? jwt.claims?.scp;
  const oauth =
    jwt.scopes ?? (typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : []);
  const scopes = scopesFromOAuth(oauth.map(String), scopePrefix);
  const subject = typeof jwt.claims?.sub === 'string' ? jwt.claims.sub : undefined;
  return { subject, scopes, can: (scope) => grants(scopes, scope) };
}

/**
 * Throws ForbiddenError unless `caller` may call `route` at all: a service scope at least the
 * route's, or `self` on a route open to end users (checked before the request is parsed).
 */
export function authorizeRoute(route: RouteDeclaration, caller: Caller, scopePrefix: string): void {
  if (caller.can(route.scope) || (route.endUser && caller.scopes.includes('self'))) return;
  throw new ForbiddenError(`this route requires the scope ${oauthScope(route.scope, scopePrefix)}`);
}

/**
 * Throws ForbiddenError when an end-user caller's parsed request names another user's data
 * (service callers reach everyone's).
 */
export function authorizeOwner(
  route: RouteDeclaration,
  caller: Caller,
  input: { params: unknown; body: unknown },
): void {
  if (caller.can(route.scope) || !route.endUser) return;
  const foreign = foreignOwnerField(route.endUser, caller.subject, input);
  if (foreign)
    throw new ForbiddenError(
      `an end-user token reaches only its own data: ${foreign} must be the token's subject`,
    );
}

/** The first field naming a user other than `subject`, or undefined when all are the subject's. */
function foreignOwnerField(
  access: EndUserAccess,
  subject: string | undefined,
  input: { params: unknown; body: unknown },
): string | undefined {
  const owner = access.owner;
  if (!owner) return undefined;
  if ('path' in owner) {
    const value = (input.params as Record<string, unknown> | undefined)?.[owner.path];
    return subject !== undefined && value === subject ? undefined : `path.${owner.path}`;
  }
  const list = (input.body as Record<string, unknown> | undefined)?.[owner.bodyList];
  const entries = Array.isArray(list) ? list : [];
  const index = entries.findIndex(
    (entry) => subject === undefined || (entry as Record<string, unknown>)?.[owner.field] !== subject,
  );
  return index < 0 ? undefined : `${owner.bodyList}[${index}].${owner.field}`;
}
