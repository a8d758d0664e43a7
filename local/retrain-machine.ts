/**
 * Runs the distributed retrain state machine locally: the ASL rendered from the same CDK constructs
 * the ML stack deploys, executed by aws-local-stepfunctions, each Lambda task state bound by name
 * to `invoke` (the local Lambda runtime running functions/handlers/retrain-shard.ts). When the
 * execution ends it publishes the status-change event Step Functions sends EventBridge, so the
 * declared rules on it (releasing a stopped run's lease, republishing the models layer) run here too.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { SnapshotKind } from '#domain/recommendations/distributed-run.ts';
import { RETRAIN_LAMBDA_STATES, retrainMachineAsl } from '#infra/constructs/retrain-state-machine.ts';
import { EXECUTION_STATUS_CHANGE, settings } from '#platform/declaration.ts';
import type { BusEvent } from './event-bus.ts';

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

/** Which execution this is, as the status-change event names it. */
export interface LocalExecution {
  stateMachineArn: string;
  name: string;
}

type EndStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** The engine's error classes for a stopped and a timed-out execution; any other error is a failure. */
function endStatusOf(error: unknown): EndStatus {
  const name = error instanceof Error ? error.name : '';
  if (name === 'ExecutionAbortedError') return 'ABORTED';
  if (name === 'ExecutionTimeoutError') return 'TIMED_OUT';
  return 'FAILED';
}

/** The `Step Functions Execution Status Change` event of an execution that ended, in the service's shape. */
export function executionEndedEvent(
  execution: LocalExecution,
  run: LocalRetrainRun,
  status: EndStatus,
  times: { startDate: number; stopDate: number },
): BusEvent {
  const executionArn = `${execution.stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution.name}`;
  return {
    source: 'aws.states',
    'detail-type': EXECUTION_STATUS_CHANGE,
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status,
      ...times,
      input: JSON.stringify(run),
    },
  };
}

/**
 * Runs one execution to its end; rejects with the engine's ExecutionError when a state fails for
 * good (its message carries the failing task's error, which names the shard), and with its
 * ExecutionAbortedError when `signal` stops the execution (as StopExecution does in AWS: no Catch runs).
 */
export async function runRetrainMachine(
  run: LocalRetrainRun,
  invoke: InvokeRetrainTask,
  options: {
    retryIntervalMs?: number;
    signal?: AbortSignal;
    /** Hears the execution's status-change event when it ends (the local event bus's put). */
    publish?: (event: BusEvent) => void;
    execution?: LocalExecution;
  } = {},
): Promise<unknown> {
  const startDate = Date.now();
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
  const ended = (status: EndStatus) =>
    options.publish?.(
      executionEndedEvent(
        options.execution ?? { stateMachineArn: settings.RETRAIN_STATE_MACHINE_ARN.default, name: run.runId },
        run,
        status,
        { startDate, stopDate: Date.now() },
      ),
    );
  try {
    const output = await execution.result;
    ended('SUCCEEDED');
    return output;
  } catch (error) {
    ended(endStatusOf(error));
    throw error;
  }
}
