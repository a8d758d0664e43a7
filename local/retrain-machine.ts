/**
 * Runs the distributed retrain state machine locally: the ASL rendered from the same CDK constructs
 * the ML stack deploys, executed by aws-local-stepfunctions, each Lambda task state bound by name
 * to `invoke` (the local Lambda runtime running functions/handlers/retrain-shard.ts).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { SnapshotKind } from '#domain/recommendations/distributed-run.ts';
import { RETRAIN_LAMBDA_STATES, retrainMachineAsl } from '#infra/constructs/retrain-state-machine.ts';

// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22) in every Task; Node 20 lacks it.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= () => {
  let resolve: (value: unknown) => void = () => {};
  let reject: (reason?: unknown) => void = () => {};
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

export interface LocalRetrainRun {
  runId: string;
  reason: string;
  /** Forces the snapshot kind; absent, the table's size chooses (RETRAIN_EXPORT_ABOVE_EVENTS). */
  snapshot?: SnapshotKind;
}

/** One task call as the machine hands it to the function, and the function's answer. */
export type InvokeRetrainTask = (payload: Record<string, unknown>) => Promise<unknown>;

/**
 * Runs one execution to its end; rejects with the engine's ExecutionError when a state fails for
 * good (its message carries the failing task's error, which names the shard), and with its
 * ExecutionAbortedError when `signal` stops the execution (as StopExecution does in AWS: no Catch runs).
 */
export async function runRetrainMachine(
  run: LocalRetrainRun,
  invoke: InvokeRetrainTask,
  options: { retryIntervalMs?: number; signal?: AbortSignal } = {},
): Promise<unknown> {
  const machine = new StateMachine(retrainMachineAsl() as never);
  const states = RETRAIN_LAMBDA_STATES;
  const execution = machine.run(
    { ...run },
    {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          states.map((state) => [
            state,
            async (input: unknown) => (await invoke(input as Record<string, unknown>)) as never,
          ]),
        ),
        ...(options.retryIntervalMs === undefined
          ? {}
          : {
              retryIntervalOverrides: Object.fromEntries(
                states.map((state) => [state, options.retryIntervalMs!]),
              ),
            }),
      },
    },
  );
  options.signal?.addEventListener('abort', () => execution.abort(), { once: true });
  return execution.result;
}
