/**
 * Overview: each component's health (a cheap read answered by each function), the live model per
 * name with its offline figures, a chart of each model's metrics over its versions, the last run
 * (with the models it skipped and why) and the last retrains with the gate's decision, and
 * rollback (admin scope).
 */
import { useState } from 'preact/hooks';
import { type MarqueeClient, MarqueeApiError, type ModelName, unwrap, useLoad, useSession } from '../api.tsx';
import { LineChart } from '../charts/line-chart.tsx';
import { ApiErrorMessage, Loaded } from '../components/status.tsx';
import { dateTime, figure } from '../format.ts';
import { TableHead } from '../components/table-head.tsx';

type Models = Awaited<ReturnType<typeof loadModels>>;
type ModelEntry = Models['models'][number];
type ModelVersion = ModelEntry['versions'][number];

const loadModels = (api: MarqueeClient) => unwrap(api.GET('/models'));

/** One read per function: a component is healthy when its own route answers. */
const COMPONENTS: { name: string; check: (api: MarqueeClient) => Promise<unknown> }[] = [
  { name: 'catalog (health)', check: (api) => unwrap(api.GET('/health')) },
  { name: 'recommendations', check: (api) => unwrap(api.GET('/trending', { params: { query: { k: 1 } } })) },
  { name: 'profiles', check: (api) => unwrap(api.GET('/segments')) },
  { name: 'videos', check: (api) => unwrap(api.GET('/videos', { params: { query: { limit: 1 } } })) },
];

interface Health {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

async function checkHealth(api: MarqueeClient): Promise<Health[]> {
  return Promise.all(
    COMPONENTS.map(async ({ name, check }) => {
      const started = performance.now();
      try {
        await check(api);
        return { name, ok: true, ms: performance.now() - started, detail: 'answering' };
      } catch (error) {
        const detail =
          error instanceof MarqueeApiError
            ? `${error.status} ${error.problem.title}`
            : (error as Error).message;
        return { name, ok: false, ms: performance.now() - started, detail };
      }
    }),
  );
}

export function OverviewPage() {
  const health = useLoad(checkHealth, []);
  const models = useLoad(loadModels, []);
  return (
    <section>
      <h1>Overview</h1>
      <h2>Health</h2>
      <Loaded result={health} what="component health">
        {(rows) => (
          <ul class="health" data-testid="health">
            {rows.map((row) => (
              <li key={row.name} class={row.ok ? 'ok' : 'failed'}>
                <span class="badge">{row.ok ? 'OK' : 'FAILING'}</span> {row.name}: {row.detail} (
                {Math.round(row.ms)} ms)
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <h2>Models</h2>
      <AdminNote />
      <Loaded result={models} what="the model registry">
        {(data) => <ModelRegistry data={data} onChange={models.reload} />}
      </Loaded>
    </section>
  );
}

function AdminNote() {
  const { scopes } = useSession();
  if (scopes.has('admin')) return null;
  return (
    <p class="notice">
      The model registry and rollback need the <code>admin</code> scope; this session has{' '}
      {[...scopes].join(', ') || 'no scope'}.{' '}
      <button type="button" disabled title="needs the admin scope">
        Roll back a model
      </button>
    </p>
  );
}

const liveOf = (model: ModelEntry): ModelVersion | undefined =>
  model.versions.find((v) => v.version === model.liveVersion);

function ModelRegistry({ data, onChange }: { data: Models; onChange(): void }) {
  const [message, setMessage] = useState<string>();
  const [failure, setFailure] = useState<Error>();
  return (
    <>
      {data.defaultModel && (
        <p>
          Default recommendation model: <strong>{data.defaultModel}</strong>
        </p>
      )}
      {message && (
        <p class="success" role="status">
          {message}
        </p>
      )}
      {failure && <ApiErrorMessage error={failure} what="the rollback" />}
      <table class="models" data-testid="models">
        <TableHead
          columns={['model', 'family', 'live version', 'trained at', 'offline metrics (live)', 'action']}
        />
        <tbody>
          {data.models.map((model) => {
            const live = liveOf(model);
            return (
              <tr key={model.name} data-model={model.name}>
                <th scope="row">{model.name}</th>
                <td>{model.family}</td>
                <td data-testid="live-version">{model.liveVersion ?? '–'}</td>
                <td>{dateTime(live?.trainedAt)}</td>
                <td>
                  {live
                    ? Object.entries(live.metrics)
                        .map(([k, v]) => `${k} ${figure(v)}`)
                        .join(' · ')
                    : '–'}
                </td>
                <td>
                  <RollbackButton
                    model={model}
                    onDone={(text) => {
                      setFailure(undefined);
                      setMessage(text);
                      onChange();
                    }}
                    onFailed={setFailure}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Offline metrics over versions</h2>
      <div class="grid-charts">
        {data.models.map((model) => (
          <MetricsChart key={model.name} model={model} />
        ))}
      </div>
      <h2>Last retrains</h2>
      <LastRun retrain={data.retrain} />
      <RetrainTable models={data.models} />
    </>
  );
}

function RollbackButton({
  model,
  onDone,
  onFailed,
}: {
  model: ModelEntry;
  onDone(message: string): void;
  onFailed(error: Error): void;
}) {
  const { api, scopes } = useSession();
  const [busy, setBusy] = useState(false);
  if (model.family !== 'recommendations') return <span class="muted">retrain only</span>;
  // A retired version was live before: the registry's rollback restores the last of them.
  const previous = model.versions.some((v) => v.status === 'retired');
  const admin = scopes.has('admin');
  return (
    <button
      type="button"
      disabled={!admin || busy || !previous}
      title={
        !admin
          ? 'needs the admin scope'
          : previous
            ? `make ${model.name}'s previous version live`
            : 'no earlier live version'
      }
      data-rollback={model.name}
      onClick={async () => {
        setBusy(true);
        try {
          const rolled = await unwrap(
            api.POST('/models/{name}/rollback', { params: { path: { name: model.name as ModelName } } }),
          );
          onDone(`${model.name}: version ${rolled.version} is live again (was ${model.liveVersion}).`);
        } catch (error) {
          onFailed(error as Error);
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy ? 'Rolling back…' : 'Roll back'}
    </button>
  );
}

/** nDCG and recall for recommendation models; the gate's metric for the others. */
function MetricsChart({ model }: { model: ModelEntry }) {
  const versions = [...model.versions].sort((a, b) => a.version.localeCompare(b.version));
  const names = new Set(versions.flatMap((v) => Object.keys(v.metrics)));
  const wanted = ['ndcg', 'recall'].filter((m) => names.has(m));
  const metrics =
    wanted.length > 0 ? wanted : [...new Set(versions.flatMap((v) => (v.gate ? [v.gate.metric] : [])))];
  if (versions.length === 0 || metrics.length === 0) return null;
  return (
    <LineChart
      id={`metrics-${model.name}`}
      title={`${model.name}: ${metrics.join(' and ')} by version`}
      categoryName="version"
      categories={versions.map((v) => v.version)}
      series={metrics.map((metric) => ({
        name: metric,
        values: versions.map((v) => v.metrics[metric] ?? null),
      }))}
    />
  );
}

/** The run holding (or that last held) the retrain lease, the models it skipped and why, and the last refusal. */
function LastRun({ retrain }: { retrain: Models['retrain'] }) {
  const run = retrain.lastRun;
  if (!run) return <p class="muted">No retrain has run yet.</p>;
  const skipped = Object.entries(run.skipped ?? {});
  return (
    <div data-testid="last-run">
      <p>
        Last run: <strong data-testid="last-run-state">{run.state}</strong> ({run.reason}), started{' '}
        {dateTime(run.startedAt)}
        {run.finishedAt ? `, finished ${dateTime(run.finishedAt)}` : ''}
        {run.models?.length ? `; models: ${run.models.join(', ')}` : ''}.
      </p>
      {skipped.length > 0 && (
        <ul data-testid="last-run-skipped">
          {skipped.map(([model, reason]) => (
            <li key={model}>
              <strong>{model}</strong> skipped: {reason}
            </li>
          ))}
        </ul>
      )}
      {retrain.lastRefused && (
        <p class="muted" data-testid="last-refused">
          Refused at {dateTime(retrain.lastRefused.requestedAt)} ({retrain.lastRefused.reason}):{' '}
          {retrain.lastRefused.refusal}
        </p>
      )}
    </div>
  );
}

function RetrainTable({ models }: { models: ModelEntry[] }) {
  const runs = models
    .flatMap((model) => model.versions)
    .sort((a, b) => b.trainedAt.localeCompare(a.trainedAt))
    .slice(0, 15);
  return (
    <table data-testid="retrains">
      <TableHead columns={['trained at', 'model', 'version', 'status', 'gate', 'reason']} />
      <tbody>
        {runs.map((run) => (
          <tr key={`${run.name}-${run.version}`}>
            <td>{dateTime(run.trainedAt)}</td>
            <td>{run.name}</td>
            <td>{run.version}</td>
            <td>{run.status}</td>
            <td>
              {run.gate
                ? `${run.gate.decision}: ${run.gate.metric} ${figure(run.gate.candidateValue)} vs ${figure(run.gate.liveValue)}`
                : '–'}
            </td>
            <td>{run.gate?.reason ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
