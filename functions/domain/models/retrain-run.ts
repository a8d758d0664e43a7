/** One retrain run over several model families, each isolated so one failing does not stop the rest. */

/** What the schedule (or `npm run retrain`) asks for; `models` restricts the run to those names. */
export interface RetrainRequest {
  reason?: string;
  models?: string[];
}

export type StepOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/** A run restricted to named models (e.g. the frequent trending refresh) is not a full run. */
export const isFullRun = (request: RetrainRequest): boolean => !request.models?.length;

/**
 * The models of one family a request asks for: every one on a full run, else those it names (none
 * when it names only other families' models, so that family is skipped rather than retrained whole).
 */
export function requestedModels<N extends string>(request: RetrainRequest, family: readonly N[]): N[] {
  if (isFullRun(request)) return [...family];
  return family.filter((name) => request.models?.includes(name));
}

/** Runs `step`; a failure is reported to `onError` and returned as an outcome, never thrown. */
export async function isolated(
  step: () => Promise<unknown>,
  onError: (error: unknown) => void,
): Promise<StepOutcome> {
  try {
    return { ok: true, result: await step() };
  } catch (error) {
    onError(error);
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs every family in order, each isolated. */
export async function runFamilies(
  families: Record<string, (request: RetrainRequest) => Promise<unknown>>,
  request: RetrainRequest,
  onError: (family: string, error: unknown) => void,
): Promise<Record<string, StepOutcome>> {
  const outcomes: Record<string, StepOutcome> = {};
  for (const [family, step] of Object.entries(families)) {
    outcomes[family] = await isolated(
      () => step(request),
      (error) => onError(family, error),
    );
  }
  return outcomes;
}
