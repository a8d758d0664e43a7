import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_SHARD_FUNCTION_ARN,
  RELEASE_AFTER_FAILURE_STATE,
  RETRAIN_TASK_STATES,
  retrainMachineAsl,
} from '#infra/constructs/retrain-state-machine.ts';
import { functions } from '#platform/declaration.ts';
import { type SynthesizedMarquee, synthesizeMarquee } from './synthesize-marquee.ts';

const validateAsl = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

let marquee: SynthesizedMarquee;
beforeAll(() => {
  marquee = synthesizeMarquee();
});
afterAll(() => marquee?.cleanup());

type Resource = { Type: string; Properties: Record<string, any> };
const mlResources = () => marquee.templates.ml.toJSON().Resources as Record<string, Resource>;

/** Every policy statement granted to a function's role in the ML stack. */
function statementsOf(fn: Resource): { Action: string | string[]; Resource: any }[] {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(mlResources())
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}

/** The deployed machine's definition with every CloudFormation reference replaced by `FUNCTION`. */
function deployedDefinition(): Record<string, unknown> {
  const resources = Object.values(marquee.templates.ml.toJSON().Resources) as {
    Type: string;
    Properties: Record<string, any>;
  }[];
  const machines = resources.filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  expect(machines).toHaveLength(1);
  const [, parts] = machines[0].Properties.DefinitionString['Fn::Join'];
  return JSON.parse(parts.map((part: unknown) => (typeof part === 'string' ? part : 'FUNCTION')).join(''));
}

describe('the distributed retrain state machine', () => {
  it('renders a valid ASL definition for the local engine', () => {
    const result = validateAsl(retrainMachineAsl());
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('deploys exactly the definition the local runtime runs, only the function ARN differs', () => {
    const local = JSON.stringify(retrainMachineAsl()).replaceAll(LOCAL_SHARD_FUNCTION_ARN, 'FUNCTION');
    // The deployed machine adds its overall timeout (3 h), which the local engine does not need.
    const { TimeoutSeconds, ...deployed } = deployedDefinition();
    expect(TimeoutSeconds).toBe(10_800);
    expect(JSON.stringify(deployed)).toBe(local);
  });

  it('runs each shard task in a Distributed Map of Express children, retried, failing at the first lost shard', () => {
    const states = deployedDefinition().States as Record<string, any>;
    const maps = Object.values(states).filter((s) => s.Type === 'Map');
    expect(
      Object.keys(states)
        .filter((name) => states[name].Type === 'Map')
        .sort(),
    ).toEqual([
      'AlsItems',
      'AlsUsers',
      'CutItemSlices',
      'JoinItemShards',
      'MergeUserShards',
      'PartitionExport',
      'ProfileFeatures',
      'ProfileScores',
      'ShardGrams',
      'SplitUserShards',
      'SumPartialGrams',
    ]);
    for (const map of maps) {
      expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
      // Absent means 0: the service tolerates no failed child unless told otherwise.
      expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
      const child = map.ItemProcessor.States[map.ItemProcessor.StartAt];
      expect(Object.values(RETRAIN_TASK_STATES)).toContain(map.ItemProcessor.StartAt);
      expect(child.Retry.some((r: any) => r.ErrorEquals.includes('States.ALL') && r.MaxAttempts === 2)).toBe(
        true,
      );
    }
  });

  it('releases the retrain lease when any state fails for good, and ends a run refused the lease at once', () => {
    const states = deployedDefinition().States as Record<string, any>;
    const releasing = [
      'Snapshot',
      'StartExport',
      'ExportProgress',
      'PartitionExport',
      'MergeUserShards',
      'CutHoldout',
      'SplitUserShards',
      'PlanExport',
      'CutItemSlices',
      'JoinItemShards',
      'ShardGrams',
      'SumPartialGrams',
      'ProfileFeatures',
      'AlsUsers',
      'AlsItems',
      'Reduce',
      'ProfilesReduce',
      'ProfileScores',
    ];
    for (const name of releasing) {
      const toRelease = states[name].Catch.find((c: any) => c.ErrorEquals.includes('States.ALL'));
      expect(toRelease, name).toMatchObject({ Next: RELEASE_AFTER_FAILURE_STATE, ResultPath: '$.error' });
    }
    expect(states[RELEASE_AFTER_FAILURE_STATE].Next).toBe('RetrainFailed');
    expect(states.RetrainFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error' });
    expect(states.Snapshot.Catch[0]).toEqual({ ErrorEquals: ['RetrainLeaseHeldError'], Next: 'Refused' });
    expect(states.StartExport.Catch[0]).toEqual({ ErrorEquals: ['RetrainLeaseHeldError'], Next: 'Refused' });
    // Chosen before any lease is taken: a failure there has no lease to release.
    expect(states.ChooseSnapshot.Catch).toBeUndefined();
    expect(states.Reduce.Next).toBe(RETRAIN_TASK_STATES.profilesReduce);
    expect(states.ProfilesReduce.Next).toBe('ProfileScores');
    expect(states.ProfileScores.Next).toBe(RETRAIN_TASK_STATES.release);
    expect(states[RETRAIN_TASK_STATES.release]).toMatchObject({ ResultPath: null, Next: 'Trained' });
  });

  it('lets the retrain function start executions of this machine and nothing else', () => {
    const resources = mlResources();
    const machineId = Object.keys(resources).find(
      (id) => resources[id].Type === 'AWS::StepFunctions::StateMachine',
    );
    const retrain = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.RETRAIN_STATE_MACHINE_ARN,
    )!;
    expect(retrain.Properties.Environment.Variables.RETRAIN_STATE_MACHINE_ARN).toEqual({ Ref: machineId });
    const statements = statementsOf(retrain);
    const states = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('states:')));
    expect(states).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machineId } },
    ]);
  });

  it('starts with the snapshot choice, then polls the export through a Wait the task sets', () => {
    const definition = deployedDefinition() as { StartAt: string; States: Record<string, any> };
    expect(definition.StartAt).toBe('ChooseSnapshot');
    expect(definition.States.SnapshotKind.Choices).toEqual([
      { Variable: '$.snapshot', StringEquals: 'export', Next: 'StartExport' },
    ]);
    expect(definition.States.SnapshotKind.Default).toBe('Snapshot');
    expect(definition.States.WaitForExport).toMatchObject({ Type: 'Wait', SecondsPath: '$.pollSeconds' });
    expect(definition.States.ExportDone.Default).toBe('WaitForExport');
    expect(definition.States.PlanExport.Next).toBe('CutItemSlices');
    expect(definition.States.JoinItemShards.Next).toBe('ShardGrams');
  });

  it('lets the shard function export only the events table, only under the runs export prefix', () => {
    const resources = mlResources();
    const shard = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.RETRAIN_EXPORT_MODE,
    )!;
    expect(shard.Properties.Environment.Variables.RETRAIN_EXPORT_MODE).toBe('dynamodb');
    const statements = statementsOf(shard);
    const exportCalls = statements.filter((st) => [st.Action].flat().some((a) => a.includes('Export')));
    expect(exportCalls.map((st) => st.Action)).toEqual([
      'dynamodb:ExportTableToPointInTime',
      'dynamodb:DescribeExport',
    ]);
    expect(JSON.stringify(exportCalls[0].Resource)).toContain('table-events-arn');
    expect(JSON.stringify(exportCalls[1].Resource)).toMatch(/table-events-arn.*\/export\/\*/);
    const exportWrites = statements.find((st) => [st.Action].flat().includes('s3:AbortMultipartUpload'))!;
    expect([...exportWrites.Action].sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:PutObject',
      's3:PutObjectAcl',
    ]);
    expect(JSON.stringify(exportWrites.Resource)).toMatch(/\/runs\/\*\/export\/\*"/);
  });

  it('is a traced Standard machine whose every transition is logged', () => {
    marquee.templates.ml.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it("routes only this machine's status changes: an ended run to the release, a succeeded one to the retrain function", () => {
    const resources = mlResources();
    const machineId = Object.keys(resources).find(
      (id) => resources[id].Type === 'AWS::StepFunctions::StateMachine',
    )!;
    const rules = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern?.source?.includes('aws.states'),
    );
    const byStatus = Object.fromEntries(
      rules.map((r) => [r.Properties.EventPattern.detail.status.join(','), r.Properties]),
    );
    expect(Object.keys(byStatus).sort()).toEqual(['ABORTED,TIMED_OUT,FAILED', 'SUCCEEDED']);
    for (const rule of rules)
      expect(rule.Properties.EventPattern.detail.stateMachineArn).toEqual([{ Ref: machineId }]);
    const targetFunction = (props: Record<string, any>) => {
      const aliasId = props.Targets[0].Arn.Ref;
      return resources[aliasId].Properties.FunctionName.Ref as string;
    };
    const description = (id: string) => resources[id].Properties.Description;
    // The release goes to the shard function (the machine's own release task); the layer to retrain.
    expect(description(targetFunction(byStatus['ABORTED,TIMED_OUT,FAILED']))).toBe(
      functions.retrainShard.description,
    );
    expect(description(targetFunction(byStatus.SUCCEEDED))).toBe(functions.retrain.description);
  });
});
