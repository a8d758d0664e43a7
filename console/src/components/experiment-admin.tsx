/**
 * The experiments page's admin controls: create an experiment (two variants, the first the control)
 * and stop one. Without the admin scope they are disabled and say why; the API decides either way.
 */
import { useState } from 'preact/hooks';
import { type ModelName, unwrap, useSession } from '../api.tsx';
import { setQuery } from '../router.tsx';
import { ApiErrorMessage } from './status.tsx';

const SURFACES = ['recommendations', 'rank'] as const;

/** The create form; `onCreated` after the API stored the experiment (which is then selected). */
export function CreateExperimentForm({ onCreated }: { onCreated(): void }) {
  const { api, scopes, modelNames } = useSession();
  const [failure, setFailure] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const admin = scopes.has('admin');

  async function create(form: HTMLFormElement) {
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    const planned = field('plannedUsers');
    setBusy(true);
    setFailure(undefined);
    try {
      const created = await unwrap(
        api.POST('/experiments', {
          body: {
            name: field('name'),
            surface: field('surface') as (typeof SURFACES)[number],
            variants: [
              { name: 'control', model: field('controlModel'), weight: Number(field('controlWeight')) },
              { name: 'treatment', model: field('treatmentModel'), weight: Number(field('treatmentWeight')) },
            ],
            ...(planned ? { plannedUsers: Number(planned) } : {}),
          },
        }),
      );
      onCreated();
      setQuery({ experiment: created.experimentId });
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  }

  const modelSelect = (name: string, initial: ModelName | undefined) => (
    <select id={`experiment-${name}`} name={name} defaultValue={initial} disabled={!admin}>
      {modelNames.map((model) => (
        <option key={model} value={model}>
          {model}
        </option>
      ))}
    </select>
  );
  return (
    <details class="create-experiment" open>
      <summary>New experiment</summary>
      {!admin && (
        <p class="notice" data-testid="create-needs-admin">
          Creating and stopping experiments needs the <code>admin</code> scope.
        </p>
      )}
      <form
        data-testid="create-experiment"
        onSubmit={(event) => {
          event.preventDefault();
          void create(event.currentTarget);
        }}
      >
        <label>
          Name <input name="name" required maxLength={200} disabled={!admin} />
        </label>
        <label>
          Surface{' '}
          <select name="surface" disabled={!admin}>
            {SURFACES.map((surface) => (
              <option key={surface}>{surface}</option>
            ))}
          </select>
        </label>
        <label htmlFor="experiment-controlModel">Control model</label>{' '}
        {modelSelect(
          'controlModel',
          modelNames.find((m) => m === 'popularity'),
        )}
        <label>
          weight{' '}
          <input name="controlWeight" type="number" min={0} step="any" defaultValue="1" disabled={!admin} />
        </label>
        <label htmlFor="experiment-treatmentModel">Treatment model</label>{' '}
        {modelSelect(
          'treatmentModel',
          modelNames.find((m) => m !== 'popularity'),
        )}
        <label>
          weight{' '}
          <input name="treatmentWeight" type="number" min={0} step="any" defaultValue="1" disabled={!admin} />
        </label>
        <label title="the lift interval is narrowest at this many users (default 5,000)">
          Planned users <input name="plannedUsers" type="number" min={2} step={1} disabled={!admin} />
        </label>
        <button type="submit" disabled={!admin || busy}>
          Create
        </button>
      </form>
      {failure && <ApiErrorMessage error={failure} what="the new experiment" />}
    </details>
  );
}

/** Stops a running or scheduled experiment; nothing for a stopped one. */
export function StopExperimentButton({
  experimentId,
  status,
  onStopped,
}: {
  experimentId: string;
  status: string;
  onStopped(): void;
}) {
  const { api, scopes } = useSession();
  const [failure, setFailure] = useState<Error>();
  if (status === 'stopped') return null;
  const admin = scopes.has('admin');
  return (
    <>
      <button
        type="button"
        data-testid="stop-experiment"
        disabled={!admin}
        title={admin ? 'stop assigning users; the results stay' : 'needs the admin scope'}
        onClick={async () => {
          try {
            await unwrap(
              api.POST('/experiments/{experimentId}/stop', { params: { path: { experimentId } } }),
            );
            onStopped();
          } catch (error) {
            setFailure(error as Error);
          }
        }}
      >
        Stop
      </button>
      {failure && <ApiErrorMessage error={failure} what="the stop" />}
    </>
  );
}
