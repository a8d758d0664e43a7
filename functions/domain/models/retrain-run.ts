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

/**
 * The store holds some data, but too little for a family to train on (a few users on a fresh
 * store): a normal outcome, reported as skipped with the reason, not as a failure.
 */
export class NotEnoughDataError extends Error {
  override name = 'NotEnoughDataError';
}

/** Runs `step`; a failure is reported to `onError` and returned as an outcome, never thrown. */
export async function isolated(
  step: () => Promise<unknown>,
  onError: (error: unknown) => void,
): Promise<StepOutcome> {
  try {
    return { ok: true, result: await step() };
  } catch (error) {
    if (error instanceof NotEnoughDataError) return { ok: true, result: { skipped: error.message } };
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

/** What a data store holds to train on; a family with nothing to train on is skipped, not failed. */
export interface TrainingDataPresence {
  events: boolean;
  items: boolean;
}

/** Why a run has nothing to train on yet (a normal outcome on a fresh store), or undefined. */
export function nothingToTrainOn(presence: TrainingDataPresence): string | undefined {
  const missing = [presence.items ? undefined : 'no items', presence.events ? undefined : 'no events'].filter(
    (x) => x !== undefined,
  );
  return missing.length > 0 ? `nothing to train on yet: ${missing.join(' and ')}` : undefined;
}

export type RetrainRunState = 'running' | 'succeeded' | 'failed';

/** The lease one retrain run holds in the models table while it runs, and its outcome after. */
export interface RetrainRun {
  runId: string;
  reason: string;
  /** ISO timestamps. */
  startedAt: string;
  /** A run still `running` past this instant crashed or timed out: its lease is free. */
  expiresAt: string;
  state: RetrainRunState;
  finishedAt?: string;
  /** The models a restricted run trains; absent for a full run. */
  models?: string[];
  /** Models the run did not train, each with the reason (a dense EASE over its memory, say). */
  skipped?: Record<string, string>;
  /**
   * Set on the record of a distributed run whose execution ended before it took the lease
   * (releaseEndedRun): that run can never take the lease after.
   */
  endedBeforeLease?: boolean;
}

/** A run refused because another held the lease. */
export interface RetrainRefusal {
  /** ISO timestamp. */
  requestedAt: string;
  reason: string;
  refusal: string;
}

/** Port: the retrain lease and the last run and refusal (rows of the models table in AWS). */
export interface RetrainRunRecords {
  /**
   * Takes the lease unless a run still `running` before its expiry holds it, or the record says
   * this very run ended before it took the lease (`endedBeforeLease`); then returns that record.
   */
  acquireRun(
    run: RetrainRun,
    now: Date,
  ): Promise<{ acquired: true } | { acquired: false; holder: RetrainRun }>;
  /** Ends the run holding the lease (only if it is still `runId`'s). */
  finishRun(runId: string, state: Exclude<RetrainRunState, 'running'>, finishedAt: Date): Promise<void>;
  recordRefusal(refusal: RetrainRefusal): Promise<void>;
  /** Notes on `runId`'s record the models it skipped and why (nothing when another run holds the record). */
  recordSkipped(runId: string, skipped: Record<string, string>): Promise<void>;
  /** The run that holds or held the lease last, and the last refusal. */
  latestRuns(): Promise<{ lastRun?: RetrainRun; lastRefused?: RetrainRefusal }>;
}

export type LeasedOutcome<T> = { ran: true; result: T } | { ran: false; refusal: string };

/**
 * Takes the one retrain lease for `request.runId` (expiring `leaseMs` after `now`), or records why
 * not for GET /models: another run still `running` before its expiry holds it.
 */
export async function acquireRetrainLease(
  runs: RetrainRunRecords,
  request: RetrainRequest & { runId: string },
  lease: { now: Date; leaseMs: number },
): Promise<{ acquired: true } | { acquired: false; refusal: string }> {
  const run: RetrainRun = {
    runId: request.runId,
    reason: request.reason ?? 'unspecified',
    startedAt: lease.now.toISOString(),
    expiresAt: new Date(lease.now.getTime() + lease.leaseMs).toISOString(),
    state: 'running',
    ...(request.models?.length ? { models: request.models } : {}),
  };
  const taken = await runs.acquireRun(run, lease.now);
  if (taken.acquired) return { acquired: true };
  const { holder } = taken;
  const refusal =
    holder.runId === run.runId && holder.endedBeforeLease
      ? `this run (${run.runId}) already ended before it took the lease (${holder.reason}, at ${holder.finishedAt})`
      : `another retrain (${holder.reason}, started ${holder.startedAt}) holds the lease until ${holder.expiresAt}`;
  await runs.recordRefusal({ requestedAt: run.startedAt, reason: run.reason, refusal });
  return { acquired: false, refusal };
}

/**
 * Runs `work` holding the one retrain lease (expiring after `leaseMs`, longer than the function
 * may run, so a crashed run frees it), released at the end whatever happens; a second run while
 * one holds it is refused with the reason, recorded for GET /models.
 */
export async function withRetrainLease<T>(
  runs: RetrainRunRecords,
  request: RetrainRequest & { runId: string },
  lease: { now: Date; leaseMs: number },
  work: () => Promise<T>,
): Promise<LeasedOutcome<T>> {
  const taken = await acquireRetrainLease(runs, request, lease);
  if (!taken.acquired) return { ran: false, refusal: taken.refusal };
  let state: 'succeeded' | 'failed' = 'failed';
  try {
    const result = await work();
    state = 'succeeded';
    return { ran: true, result };
  } finally {
    await runs.finishRun(request.runId, state, new Date());
  }
}

/** The reason the post-deploy trigger gives (infra/stacks/ml-stack.ts). */
export const DEPLOY_REASON = 'deploy';

/**
 * What a run after a deploy does: with models accepted already, train nothing and put the serving
 * functions back on the accepted models layer (the deploy put the baseline one in its place);
 * before any model, train the first ones. Undefined for any other run.
 */
export function afterDeploy(
  request: RetrainRequest,
  anyModelLive: boolean,
): 'reattach' | 'train' | undefined {
  if (request.reason !== DEPLOY_REASON) return undefined;
  return anyModelLive ? 'reattach' : 'train';
}

/** What one retrain run needs: its model families, what the store and registry hold, and what runs last. */
export interface RetrainRunSteps {
  families: Record<string, (request: RetrainRequest) => Promise<unknown>>;
  /** Whether any model of the registry is live (a deploy then only re-attaches them). */
  anyModelLive(): Promise<boolean>;
  presence(): Promise<TrainingDataPresence>;
  /** Runs after the families whatever they did (the models layer); its failure is an outcome too. */
  last: { name: string; step: () => Promise<unknown>; onError: (error: unknown) => void };
  /** A run that trains nothing says why; a family that fails is reported. */
  log: { nothingToTrain(reason: string): void; familyFailed(family: string, error: unknown): void };
}

/**
 * One retrain run: every family isolated, or each reported skipped with the reason when there is
 * nothing to train (an empty store, or a deploy once models are accepted); then the last step.
 */
export async function runRetrain(
  request: RetrainRequest,
  steps: RetrainRunSteps,
): Promise<Record<string, StepOutcome>> {
  const nothing =
    afterDeploy(request, await steps.anyModelLive()) === 'reattach'
      ? 'deploy: the accepted models are re-attached, nothing is trained'
      : nothingToTrainOn(await steps.presence());
  if (nothing) steps.log.nothingToTrain(nothing);
  const results: Record<string, StepOutcome> = nothing
    ? Object.fromEntries(
        Object.keys(steps.families).map((family) => [
          family,
          { ok: true as const, result: { skipped: nothing } },
        ]),
      )
    : await runFamilies(steps.families, request, steps.log.familyFailed);
  results[steps.last.name] = await isolated(steps.last.step, steps.last.onError);
  return results;
}
