/**
 * Experiments: the list, one experiment's results (`?experiment=<id>`: per variant volumes, rates
 * with 95% intervals, the lift with its always-valid interval, the verdict and a sample-ratio
 * warning), and create / stop for admin tokens. Shown when the API's OpenAPI document offers the
 * experiments routes; otherwise the page says the API has none.
 */
import { type MarqueeClient, type operations, unwrap, useLoad, useSession } from '../api.tsx';
import { Loaded } from '../components/status.tsx';
import { TableHead } from '../components/table-head.tsx';
import { dateTime } from '../format.ts';
import { Link, useLocation } from '../router.tsx';
import { CreateExperimentForm, StopExperimentButton } from '../components/experiment-admin.tsx';

type Results = operations['getExperimentResults']['responses'][200]['content']['application/json'];
type VariantResult = Results['variants'][number];
type Estimate = VariantResult['playRate'];

/** The routes this page needs; an API without them gets the notice instead. */
const ROUTES = ['/experiments', '/experiments/{experimentId}/results'];

const loadExperiments = (api: MarqueeClient) => unwrap(api.GET('/experiments'));

export function ExperimentsPage() {
  const { apiPaths } = useSession();
  const { query } = useLocation();
  const selected = query.get('experiment') ?? undefined;
  if (apiPaths === null)
    return (
      <section>
        <h1>Experiments</h1>
        <p class="notice" role="status">
          The API's description could not be read, so whether it offers experiments is unknown. Sign in or
          paste a token, then reload.
        </p>
      </section>
    );
  if (!ROUTES.every((route) => apiPaths.has(route)))
    return (
      <section>
        <h1>Experiments</h1>
        <p class="notice" data-testid="experiments-unavailable">
          <strong>Not available:</strong> this API's OpenAPI document lists {apiPaths.size} paths and not the
          experiments routes (<code>/experiments</code>, <code>/experiments/{'{experimentId}'}/results</code>
          ).
        </p>
      </section>
    );
  return (
    <section>
      <h1>Experiments</h1>
      <ExperimentList selected={selected} />
      {selected && <ExperimentResults experimentId={selected} />}
    </section>
  );
}

function ExperimentList({ selected }: { selected?: string }) {
  const list = useLoad(loadExperiments, []);
  return (
    <>
      <Loaded result={list} what="the experiments">
        {({ experiments }) =>
          experiments.length === 0 ? (
            <p class="muted" data-testid="no-experiments">
              No experiments yet.
            </p>
          ) : (
            <table data-testid="experiments">
              <TableHead columns={['Name', 'Surface', 'Variants (model, weight)', 'Status', 'Started']} />
              <tbody>
                {experiments.map((e) => (
                  <tr
                    key={e.experimentId}
                    data-experiment={e.experimentId}
                    aria-current={e.experimentId === selected ? 'true' : undefined}
                  >
                    <td>
                      <Link href={`/experiments?experiment=${encodeURIComponent(e.experimentId)}`}>
                        {e.name}
                      </Link>
                    </td>
                    <td>{e.surface}</td>
                    <td>{e.variants.map((v) => `${v.name}: ${v.model} (${v.weight})`).join(', ')}</td>
                    <td data-testid="status">{e.status}</td>
                    <td>{dateTime(e.startAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <CreateExperimentForm onCreated={list.reload} />
    </>
  );
}

/** `12.3%` and its interval, or a dash when there is not enough data. */
function rate({ value, interval }: Estimate, signed = false): string {
  if (value === null) return '–';
  const pct = (x: number) => `${signed && x > 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
  return interval ? `${pct(value)} [${pct(interval.low)}, ${pct(interval.high)}]` : pct(value);
}

const VERDICTS: Record<Results['verdict'], string> = {
  treatment: 'a treatment wins',
  control: 'the control wins',
  'not yet': 'not yet: the always-valid interval still includes no change',
};

function ExperimentResults({ experimentId }: { experimentId: string }) {
  const results = useLoad(
    (api) => unwrap(api.GET('/experiments/{experimentId}/results', { params: { path: { experimentId } } })),
    [experimentId],
  );
  return (
    <Loaded result={results} what={`the results of ${experimentId}`}>
      {(r) => (
        <div data-testid="experiment-results">
          <h2>Results of {experimentId}</h2>
          <p>
            Status <strong>{r.status}</strong>. Verdict: <strong data-testid="verdict">{r.verdict}</strong> (
            {VERDICTS[r.verdict]}
            {r.winner ? `: ${r.winner}` : ''}).{' '}
            <button type="button" onClick={results.reload}>
              Refresh
            </button>{' '}
            <StopExperimentButton experimentId={experimentId} status={r.status} onStopped={results.reload} />
          </p>
          {r.sampleRatio.mismatch && (
            <p class="error" role="alert" data-testid="srm-warning">
              <strong>Sample-ratio mismatch:</strong> users per variant do not match the weights (chi-square{' '}
              {r.sampleRatio.chiSquare.toFixed(1)}, p = {r.sampleRatio.pValue.toExponential(1)}). Assignment
              or logging is broken; the verdict is held at "not yet".
            </p>
          )}
          <table data-testid="results">
            <TableHead
              columns={[
                'Variant',
                'Model',
                'Weight',
                'Users',
                'Impressions',
                'Clicks',
                'Plays',
                'Click-through [95%]',
                'Plays per impression [95%]',
                'Users who played [95%]',
                'Lift of plays per impression [always-valid 95%]',
              ]}
            />
            <tbody>
              {r.variants.map((v) => (
                <tr key={v.name} data-variant={v.name}>
                  <th scope="row">{v.name}</th>
                  <td>{v.model}</td>
                  <td>{v.weight}</td>
                  <td data-testid="users">{v.users}</td>
                  <td data-testid="impressions">{v.impressions}</td>
                  <td data-testid="clicks">{v.clicks}</td>
                  <td data-testid="plays">{v.plays}</td>
                  <td>{rate(v.clickThroughRate)}</td>
                  <td>{rate(v.playRate)}</td>
                  <td>{rate(v.usersPlayedRate)}</td>
                  <td data-testid="lift">{v.lift ? rate(v.lift, true) : 'control'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">Method: {r.method}.</p>
        </div>
      )}
    </Loaded>
  );
}
