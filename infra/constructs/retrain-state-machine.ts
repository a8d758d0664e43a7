/**
 * The distributed retrain as a Step Functions state machine, built from the CDK's constructs once
 * (`retrainMachineDefinition`) and used twice: by the ML stack with the deployed shard function, and
 * by the local runtime, which renders the same chain to ASL (`retrainMachineAsl`) and runs it with
 * aws-local-stepfunctions, every Lambda task bound by state name to the same handler code.
 *
 * The shard lists are arrays the Snapshot task returns, not an ItemReader over S3: the local engine
 * ignores ItemReader, and a few thousand shard names fit well inside the 256 KB state limit, so one
 * definition runs on both. Child executions are Express (billed by duration, not per transition;
 * each shard task must finish inside Express's 5 minutes, which bounded shard files guarantee).
 */
import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  type IChainable,
  JsonPath,
  LogLevel,
  Pass,
  StateGraph,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  DISTRIBUTED_RUN_TIMEOUT_MS,
  RetrainLeaseHeldError,
} from '#domain/recommendations/distributed-run.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/** The names of the machine's Lambda task states (the keys the local runtime binds handlers to). */
export const RETRAIN_TASK_STATES = {
  chooseSnapshot: 'ChooseSnapshot',
  snapshot: 'Snapshot',
  startExport: 'StartExport',
  exportProgress: 'ExportProgress',
  partition: 'PartitionBatch',
  mergeUserShard: 'MergeUserShard',
  cutHoldout: 'CutHoldout',
  splitUserShard: 'SplitUserShard',
  planExport: 'PlanExport',
  itemSlices: 'ItemSlices',
  itemShardFile: 'ItemShardFile',
  shard: 'PartialGram',
  sumGrams: 'SumGrams',
  alsUsers: 'UserHalfStep',
  alsItems: 'ItemHalfStep',
  reduce: 'Reduce',
  profileFeatures: 'ProfileShardFeatures',
  profilesReduce: 'ProfilesReduce',
  profileScores: 'ProfileShardScores',
  release: 'ReleaseLease',
} as const;

export type RetrainTaskName = keyof typeof RETRAIN_TASK_STATES;

/** The release task a failed run goes through (a second state of the `release` task). */
export const RELEASE_AFTER_FAILURE_STATE = 'ReleaseLeaseAfterFailure';

/** Every Lambda task state of the machine. */
export const RETRAIN_LAMBDA_STATES: readonly string[] = [
  ...Object.values(RETRAIN_TASK_STATES),
  RELEASE_AFTER_FAILURE_STATE,
];

/** Shard tasks running at once per Map: the account's Lambda concurrency is shared with serving. */
export const SHARD_CONCURRENCY = 100;

/** One Lambda task of the machine: its payload names the task, and Lambda's answer is the result. */
function task(
  scope: Construct,
  name: RetrainTaskName,
  fn: IFunction,
  payload: Record<string, unknown>,
  state: { name?: string; resultPath?: string } = {},
) {
  return new LambdaInvoke(scope, state.name ?? RETRAIN_TASK_STATES[name], {
    lambdaFunction: fn,
    payload: TaskInput.fromObject({ task: name, ...payload }),
    payloadResponseOnly: true,
    ...(state.resultPath ? { resultPath: state.resultPath } : {}),
  });
}

/** A shard task retried on any error (a throttle, a crashed container), then failing its Map. */
function retried<T extends LambdaInvoke>(state: T): T {
  state.addRetry({ errors: ['States.ALL'], maxAttempts: 2, interval: Duration.seconds(2), backoffRate: 2 });
  return state;
}

/** A Distributed Map over one shard list of the state, each item handed to `child` with the run's context. */
function overShards(scope: Construct, id: string, itemsPath: string, child: LambdaInvoke): DistributedMap {
  return new DistributedMap(scope, id, {
    itemsPath,
    itemSelector: {
      'runId.$': '$$.Map.Item.Value.runId',
      'shard.$': '$$.Map.Item.Value.shard',
      'iteration.$': '$.als.iteration',
      'data.$': '$.als.data',
    },
    maxConcurrency: SHARD_CONCURRENCY,
    // One shard lost would bias every model: the Map fails at the first shard that fails for good.
    toleratedFailurePercentage: 0,
    mapExecutionType: StateMachineType.EXPRESS,
    resultPath: JsonPath.DISCARD,
  }).itemProcessor(retried(child));
}

/**
 * A Distributed Map over a list of numbers in the state (export batches or user shards), each
 * handed to `child` as `field` with the run's id: the lists stay a few bytes per entry.
 */
function overNumbers(
  scope: Construct,
  id: string,
  itemsPath: string,
  field: 'batch' | 'shard',
  child: LambdaInvoke,
): DistributedMap {
  return new DistributedMap(scope, id, {
    itemsPath,
    itemSelector: { 'runId.$': '$.runId', [`${field}.$`]: '$$.Map.Item.Value' },
    maxConcurrency: SHARD_CONCURRENCY,
    toleratedFailurePercentage: 0,
    mapExecutionType: StateMachineType.EXPRESS,
    resultPath: JsonPath.DISCARD,
  }).itemProcessor(retried(child));
}

/**
 * The export snapshot (functions/domain/recommendations/export-snapshot.ts): StartExport (takes the
 * lease) -> WaitForExport / ExportProgress until done -> PartitionExport (Map over batches of data
 * files) -> MergeUserShards -> CutHoldout -> SplitUserShards -> PlanExport, whose answer is the same
 * state the scan Snapshot returns, handed to `then`.
 */
function exportSnapshot(scope: Construct, fn: IFunction, then: IChainable) {
  const run = { 'runId.$': '$.runId' };
  const start = task(scope, 'startExport', fn, { ...run, 'reason.$': '$.reason' });
  const wait = new Wait(scope, 'WaitForExport', { time: WaitTime.secondsPath('$.pollSeconds') });
  // Not retried, like the Snapshot: a FAILED export is final, and the next poll is a minute away anyway.
  const progress = task(scope, 'exportProgress', fn, run);
  const partitions = overNumbers(
    scope,
    'PartitionExport',
    '$.batches',
    'batch',
    task(scope, 'partition', fn, {
      ...run,
      'batch.$': '$.batch',
    }),
  );
  const shardInput = { ...run, 'shard.$': '$.shard' };
  const merges = overNumbers(
    scope,
    'MergeUserShards',
    '$.userShards',
    'shard',
    task(scope, 'mergeUserShard', fn, shardInput),
  );
  const cut = task(scope, 'cutHoldout', fn, run, { resultPath: '$.cut' });
  const splits = overNumbers(
    scope,
    'SplitUserShards',
    '$.userShards',
    'shard',
    task(scope, 'splitUserShard', fn, shardInput),
  );
  const plan = task(scope, 'planExport', fn, run);
  // PlanExport returns the run's state (shard lists, ALS iteration 0): the shard Maps read it as is.
  const slices = overShards(
    scope,
    'CutItemSlices',
    '$.userShards',
    task(scope, 'itemSlices', fn, shardInput),
  );
  const itemFiles = overShards(
    scope,
    'JoinItemShards',
    '$.itemShards',
    task(scope, 'itemShardFile', fn, shardInput),
  );
  const done = new Choice(scope, 'ExportDone')
    .when(
      Condition.booleanEquals('$.done', true),
      partitions.next(merges).next(cut).next(splits).next(plan).next(slices).next(itemFiles).next(then),
    )
    .otherwise(wait);
  start.next(wait).next(progress).next(done);
  return { start, states: [start, progress, partitions, merges, cut, splits, plan, slices, itemFiles] };
}

/**
 * ChooseSnapshot (the scan Snapshot below RETRAIN_EXPORT_ABOVE_EVENTS, else the export snapshot)
 * -> Snapshot (takes the retrain lease) -> partial Grams per user shard -> their sums per group of
 * user shards (a tree of sums, so the Reduce reads a few files) -> profile features per user
 * shard -> ALS (user half-steps, item half-steps, `iterations` times over the holdout's train part,
 * then as many over every interaction: the candidate and the shipped ALS) -> Reduce (gates and publishes
 * EASE and ALS) -> ProfilesReduce (trains, gates and publishes the profile models) -> profile scores
 * per user shard -> ReleaseLease. Every shard task writes its output to S3; the state carries only
 * shard names. Any state failing for good releases the lease and fails the run with the failing
 * state's error; a run refused the lease ends at once.
 *
 * The profile features Map runs before the ALS loop, in sequence rather than in a Parallel branch:
 * a failing profile shard then stops the run before any Reduce publishes (nothing goes live), and
 * the Map costs one wave of short tasks (about a Gram task's time), not worth a second branch's
 * state and error handling.
 */
export function retrainMachineDefinition(scope: Construct, fn: IFunction): IChainable {
  const shardInput = {
    'runId.$': '$.runId',
    'shard.$': '$.shard',
    'iteration.$': '$.iteration',
    'data.$': '$.data',
  };
  const snapshot = task(scope, 'snapshot', fn, { 'runId.$': '$.runId', 'reason.$': '$.reason' });
  const grams = overShards(scope, 'ShardGrams', '$.userShards', task(scope, 'shard', fn, shardInput));
  // A tree of sums: each group's partial Grams added by one task, so the Reduce reads one per group.
  const sums = overShards(scope, 'SumPartialGrams', '$.gramGroups', task(scope, 'sumGrams', fn, shardInput));
  const exported = exportSnapshot(scope, fn, grams);
  // Before any lease: the table's size (or the execution's input) picks the snapshot.
  const choose = task(scope, 'chooseSnapshot', fn, {
    'runId.$': '$.runId',
    'reason.$': '$.reason',
    'start.$': '$',
  });
  const kind = new Choice(scope, 'SnapshotKind')
    .when(Condition.stringEquals('$.snapshot', 'export'), exported.start)
    .otherwise(snapshot);
  const users = overShards(scope, 'AlsUsers', '$.userShards', task(scope, 'alsUsers', fn, shardInput));
  const items = overShards(scope, 'AlsItems', '$.itemShards', task(scope, 'alsItems', fn, shardInput));
  const next = new Pass(scope, 'NextIteration', {
    parameters: {
      'iteration.$': 'States.MathAdd($.als.iteration, 1)',
      'iterations.$': '$.als.iterations',
      'data.$': '$.als.data',
      'shipIterations.$': '$.als.shipIterations',
    },
    resultPath: '$.als',
  });
  // After the candidate's pass over the train part, the same loop again over every interaction:
  // the ALS that ships, as the single path trains it (distributed-tasks.ts, AlsProgress).
  const shippedPass = new Pass(scope, 'ShippedAlsPass', {
    parameters: {
      iteration: 0,
      'iterations.$': '$.als.shipIterations',
      data: 'all',
      shipIterations: 0,
    },
    resultPath: '$.als',
  });
  const features = overShards(
    scope,
    'ProfileFeatures',
    '$.userShards',
    task(scope, 'profileFeatures', fn, shardInput),
  );
  // The Reduce's answer is the run's output; the profile reduce's goes inside it, under `profiles`.
  const reduce = task(scope, 'reduce', fn, { 'runId.$': '$.runId' }, { resultPath: '$.reduce' });
  const profilesReduce = task(
    scope,
    'profilesReduce',
    fn,
    { 'runId.$': '$.runId' },
    { resultPath: '$.reduce.profiles' },
  );
  const scores = overShards(
    scope,
    'ProfileScores',
    '$.userShards',
    task(scope, 'profileScores', fn, shardInput),
  );
  const release = (state: 'succeeded' | 'failed', stateName: string) => {
    // The release's answer is dropped: the run's output stays the Reduce's, or the failure's error.
    const released = task(
      scope,
      'release',
      fn,
      { 'runId.$': '$.runId', state },
      { name: stateName, resultPath: JsonPath.DISCARD },
    );
    released.addRetry({
      errors: ['States.ALL'],
      maxAttempts: 2,
      interval: Duration.seconds(2),
      backoffRate: 2,
    });
    return released;
  };
  const failed = release('failed', RELEASE_AFTER_FAILURE_STATE);
  // The failure's own error and cause end the run.
  failed.next(new Fail(scope, 'RetrainFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause' }));
  const refused = new Fail(scope, 'Refused', { errorPath: '$.Error', causePath: '$.Cause' });
  for (const leaseTaker of [snapshot, exported.start])
    leaseTaker.addCatch(refused, { errors: [new RetrainLeaseHeldError().name] });
  for (const state of [
    snapshot,
    ...exported.states,
    grams,
    sums,
    features,
    users,
    items,
    reduce,
    profilesReduce,
    scores,
  ])
    state.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.error' });
  const finish = release('succeeded', RETRAIN_TASK_STATES.release);
  const loop = new Choice(scope, 'MoreIterations')
    .when(Condition.numberLessThanJsonPath('$.als.iteration', '$.als.iterations'), users)
    .when(Condition.numberGreaterThan('$.als.shipIterations', 0), shippedPass)
    .otherwise(
      reduce
        .next(profilesReduce)
        .next(scores)
        .next(finish)
        .next(new Succeed(scope, 'Trained', { outputPath: '$.reduce' })),
    );
  users.next(items).next(next).next(loop);
  shippedPass.next(loop);
  snapshot.next(grams).next(sums).next(features).next(loop);
  return choose.next(kind);
}

/** Stand-in ARN of the shard function in the ASL the local runtime runs (its tasks are bound by state name). */
export const LOCAL_SHARD_FUNCTION_ARN =
  'arn:aws:lambda:us-east-1:000000000000:function:marquee-local-retrainShard';

/** The machine's ASL, rendered from the same constructs in a throwaway stack (for the local runtime). */
export function retrainMachineAsl(): Record<string, unknown> {
  const stack = new Stack(undefined, 'RetrainMachineAsl', {
    env: { account: '000000000000', region: 'us-east-1' },
  });
  const fn = LambdaFunction.fromFunctionArn(stack, 'Shard', LOCAL_SHARD_FUNCTION_ARN);
  const start = retrainMachineDefinition(stack, fn).startState;
  return stack.resolve(new StateGraph(start, 'retrain').toGraphJson()) as Record<string, unknown>;
}

export interface RetrainStateMachineProps {
  /** The function running every task (functions/handlers/retrain-shard.ts). */
  shardFunction: IFunction;
  logRetentionDays: number;
}

/**
 * The deployed machine: Standard (a run lasts longer than Express's 5 minutes and must be
 * restartable by name), traced, every state transition logged without its data.
 */
export class RetrainStateMachine extends Construct {
  readonly machine: StateMachine;

  constructor(scope: Construct, id: string, props: RetrainStateMachineProps) {
    super(scope, id);
    const logs = new LogGroup(this, 'Logs', { retention: props.logRetentionDays as RetentionDays });
    this.machine = new StateMachine(this, 'Machine', {
      definitionBody: DefinitionBody.fromChainable(retrainMachineDefinition(this, props.shardFunction)),
      stateMachineType: StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      timeout: Duration.millis(DISTRIBUTED_RUN_TIMEOUT_MS),
    });
    this.acknowledgeWildcards(props.shardFunction);
  }

  /** The wildcards the CDK grants a Distributed Map machine, each for a reason it cannot avoid. */
  private acknowledgeWildcards(shardFunction: IFunction): void {
    acknowledgeWildcardResource(
      this.machine,
      `${shardFunction.functionArn}:*`,
      "LambdaInvoke grants the shard function's versions too; the machine calls only that function.",
    );
    Validations.of(this.machine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray trace writes and the CloudWatch Logs log-delivery calls a logged state machine makes have no resource-level permissions.',
    });
    // The Distributed Map starts child executions of this machine, whose names are generated per run.
    const machineRef = Stack.of(this).getLogicalId(this.machine.node.defaultChild as CfnResource);
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machineRef}"}]}]}`;
    for (const resource of [`${executions}:*`, `${executions}/*:*`]) {
      Validations.of(this.machine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          "A Distributed Map reads and stops its own child executions, named per run; only this machine's.",
      });
    }
  }
}
