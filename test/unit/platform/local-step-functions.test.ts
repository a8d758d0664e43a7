import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { RetrainLeaseHeldError } from '#domain/recommendations/distributed-run.ts';
import { type LocalStepFunctions, startLocalStepFunctions } from '#local/step-functions.ts';

let endpoint: LocalStepFunctions | undefined;
afterEach(() => endpoint?.close());

const client = (url: string) =>
  new SFNClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('the local Step Functions endpoint', () => {
  it('answers the SDK StartExecution and runs the retrain machine with the run as input', async () => {
    // Prepare: the scan snapshot is chosen and the Snapshot finds the lease held, so the execution
    // ends at its second task.
    const calls: Record<string, unknown>[] = [];
    const logged: string[] = [];
    endpoint = await startLocalStepFunctions(
      async (payload) => {
        calls.push(payload);
        if (payload.task === 'chooseSnapshot')
          return { runId: 'run-1', reason: 'schedule', snapshot: 'scan' };
        throw new RetrainLeaseHeldError('another retrain holds the lease');
      },
      (message) => logged.push(message),
    );
    // Act
    const started = await client(endpoint.url).send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:marquee-local-retrain',
        name: 'run-1',
        input: JSON.stringify({ runId: 'run-1', reason: 'schedule' }),
      }),
    );
    await endpoint.settle();
    // Assess
    expect(started.executionArn).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:marquee-local-retrain:run-1',
    );
    expect(calls).toEqual([
      {
        task: 'chooseSnapshot',
        runId: 'run-1',
        reason: 'schedule',
        start: { runId: 'run-1', reason: 'schedule' },
      },
      { task: 'snapshot', runId: 'run-1', reason: 'schedule' },
    ]);
    expect(logged).toEqual([expect.stringMatching(/run-1 failed: .*holds the lease/)]);
  });
});
