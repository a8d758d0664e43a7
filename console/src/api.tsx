/**
 * The console's one way to the API: the generated typed client, with the session's token, and a
 * hook that gives each page loading, data and error states (a slow API shows a loading state;
 * a failure shows the API's problem, never a blank page).
 */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import {
  createMarqueeClient,
  type MarqueeClient,
  MarqueeApiError,
  type operations,
  unwrap,
} from '#client/index.ts';
import { currentToken, grantedScopes } from './auth/session.ts';
import type { ConsoleConfig } from './config.ts';

export { MarqueeApiError, unwrap };
export type { MarqueeClient, operations };

export interface Session {
  config: ConsoleConfig;
  api: MarqueeClient;
  /** Scopes without prefix: `read`, `write`, `admin`. */
  scopes: Set<string>;
  /**
   * The paths of the API's OpenAPI document (`/videos/{assetId}/playback`), so pages show what this
   * API offers; null when the document could not be read (no token yet, API down).
   */
  apiPaths: Set<string> | null;
  /** The recommendation models the API accepts in `?model=`, from the same document. */
  modelNames: ModelName[];
  /** Re-reads the token (after paste, sign-in or sign-out). */
  refresh(): void;
}

export type ModelName = NonNullable<
  NonNullable<operations['getRecommendations']['parameters']['query']>['model']
>;

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the console');
  return session;
}

export function createApi(config: ConsoleConfig): MarqueeClient {
  return createMarqueeClient({ baseUrl: config.apiUrl || location.origin, token: currentToken });
}

export function sessionScopes(config: ConsoleConfig): Set<string> {
  return grantedScopes(config.auth);
}

export type Loaded<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; error: Error };

/**
 * Runs `load` when `deps` change and on reload(); a result that arrives after the deps changed
 * again is dropped, so a fast click never shows an older answer. A reload keeps showing the
 * current data until the new answer arrives (polling and refreshes do not flash a loading state).
 */
export function useLoad<T>(
  load: (api: MarqueeClient) => Promise<T>,
  deps: unknown[],
): Loaded<T> & { reload(): void } {
  const { api } = useSession();
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const depsSeen = useRef<unknown[] | undefined>(undefined);
  useEffect(() => {
    const run = ++latest.current;
    const sameDeps =
      depsSeen.current?.length === deps.length + 1 &&
      [...deps, api].every((dep, i) => Object.is(dep, depsSeen.current?.[i]));
    depsSeen.current = [...deps, api];
    if (!sameDeps) setResult({ state: 'loading' });
    load(api).then(
      (data) => run === latest.current && setResult({ state: 'ok', data }),
      (error: Error) => run === latest.current && setResult({ state: 'error', error }),
    );
  }, [...deps, generation, api]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...result, reload };
}
