/** Loading and error states every page uses: a slow API shows progress, a failure reads as a sentence. */
import type { ComponentChildren } from 'preact';
import type { Loaded as LoadState } from '../api.tsx';
import { MarqueeApiError } from '../api.tsx';

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** What a person should do about each kind of failure. */
function advice(error: Error): string | undefined {
  if (!(error instanceof MarqueeApiError)) {
    return 'The API could not be reached: check that it is running and that the console points at it.';
  }
  if (error.status === 401)
    return 'Sign in, or paste a token (npm start --auth prints one) in the bar above.';
  if (error.status === 403) {
    return `Your token does not carry the scope this needs. ${error.problem.detail ?? ''}`.trim();
  }
  if (error.status === 429) return 'The API is throttling requests; try again in a moment.';
  if (error.status >= 500) return 'The API failed on its side; the platform log has the details.';
  return undefined;
}

export function ApiErrorMessage({
  error,
  what,
  onRetry,
}: {
  error: Error;
  what: string;
  onRetry?: () => void;
}) {
  const problem = error instanceof MarqueeApiError ? error.problem : undefined;
  return (
    <div class="error" role="alert">
      <p>
        <strong>
          Could not load {what}
          {problem ? `: ${problem.status} ${problem.title}` : ''}.
        </strong>{' '}
        {problem?.detail && <span class="detail">{problem.detail}</span>}
      </p>
      {problem?.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
      {!problem && <p class="detail">{error.message}</p>}
      {advice(error) && <p>{advice(error)}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders `children(data)` once loaded, the loading or error state before. */
export function Loaded<T>({
  result,
  what,
  children,
}: {
  result: LoadState<T> & { reload?: () => void };
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  if (result.state === 'loading') return <Loading what={what} />;
  if (result.state === 'error')
    return <ApiErrorMessage error={result.error} what={what} onRetry={result.reload} />;
  return <>{children(result.data)}</>;
}
