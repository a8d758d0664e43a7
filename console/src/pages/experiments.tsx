/**
 * Experiments: the API has no experiments routes yet (issue 14). This page reads the API's OpenAPI
 * document and says so, or lists the routes it finds once they exist, instead of faking a page.
 */
import { useSession } from '../api.tsx';

export function ExperimentsPage() {
  const { apiPaths } = useSession();
  const routes = [...(apiPaths ?? [])].filter((path) => path.startsWith('/experiments'));
  return (
    <section>
      <h1>Experiments</h1>
      {apiPaths === null && (
        <p class="notice" role="status">
          The API's description could not be read, so whether it offers experiments is unknown. Sign in or
          paste a token, then reload.
        </p>
      )}
      {apiPaths !== null && routes.length === 0 && (
        <p class="notice" data-testid="experiments-unavailable">
          <strong>Not available:</strong> the API has no experiments routes yet. Its OpenAPI document lists{' '}
          {apiPaths.size} paths and none under <code>/experiments</code>. When the experiments API ships, its
          variants, traffic split, rates with confidence intervals and verdicts appear here.
        </p>
      )}
      {routes.length > 0 && (
        <div class="notice" data-testid="experiments-routes">
          <p>
            The API now offers experiments routes, and this console has no page for them yet. See them in the{' '}
            <a href="/docs">API reference</a>:
          </p>
          <ul>
            {routes.map((route) => (
              <li key={route}>
                <code>{route}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
