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
    // Grams, profile features, ALS users, ALS items, profile scores.
    expect(maps).toHaveLength(5);
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
      'ShardGrams',
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
    const roleId = retrain.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(resources)
      .filter(
        (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId),
      )
      .flatMap(
        (r) => r.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
    const states = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('states:')));
    expect(states).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machineId } },
    ]);
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
