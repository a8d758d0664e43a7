/** Declared route paths (`/items/{itemId}`) as matchers; the local gateway and the edge share them. */
import { type RouteDeclaration, routes } from './declaration.ts';

export interface CompiledRoute {
  route: RouteDeclaration;
  pattern: RegExp;
  /** Path parameter names, in the order of the pattern's groups. */
  names: string[];
  literalSegments: number;
}

export function compileRoute(route: RouteDeclaration): CompiledRoute {
  const names: string[] = [];
  const segments = route.path.split('/').filter(Boolean);
  const pattern = segments
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      if (param) {
        names.push(param[1]);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return {
    route,
    pattern: new RegExp(`^/${pattern}/?$`),
    names,
    literalSegments: segments.filter((s) => !s.startsWith('{')).length,
  };
}

/** Every declared route, most literal segments first (API Gateway's precedence). */
export const compiledRoutes: CompiledRoute[] = routes
  .map(compileRoute)
  .sort((a, b) => b.literalSegments - a.literalSegments);
