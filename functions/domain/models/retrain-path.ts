/**
 * Which engine a retrain runs on: the single retrain function, or the distributed state machine
 * (functions/domain/recommendations/distributed-run.ts) once the events outgrow one function.
 * Decided here once, for the schedule and `npm run retrain` alike.
 */
import { DEPLOY_REASON, isFullRun, type RetrainRequest } from './retrain-run.ts';

export type RetrainPath = 'single' | 'distributed';

export const RETRAIN_PATHS: readonly RetrainPath[] = ['single', 'distributed'];

/** Port: how many events the store holds, roughly (DescribeTable's ItemCount in AWS, refreshed about every 6 hours). */
export interface StoredEventCount {
  approximateEventCount(): Promise<number>;
}

/** Port: starts one execution of the distributed retrain state machine; returns its id (the execution ARN in AWS). */
export interface DistributedRetrainStarter {
  start(run: { runId: string; reason: string }): Promise<string>;
}

/**
 * The path of a run: the one `forced` when given; otherwise distributed only for a full run (not
 * the trending refresh, nor a deploy's re-attach) whose store holds more than `distributedAboveEvents`.
 */
export async function chooseRetrainPath(
  request: RetrainRequest & { path?: RetrainPath },
  events: StoredEventCount,
  distributedAboveEvents: number,
): Promise<{ path: RetrainPath; why: string }> {
  if (request.path) return { path: request.path, why: `the ${request.path} path was asked for` };
  if (!isFullRun(request)) return { path: 'single', why: 'a run restricted to some models' };
  if (request.reason === DEPLOY_REASON)
    return { path: 'single', why: 'a deploy run (re-attaches or trains the first models)' };
  const count = await events.approximateEventCount();
  return count > distributedAboveEvents
    ? { path: 'distributed', why: `about ${count} events, above ${distributedAboveEvents}` }
    : { path: 'single', why: `about ${count} events, at most ${distributedAboveEvents}` };
}
