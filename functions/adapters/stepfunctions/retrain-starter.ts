/**
 * Starts the distributed retrain state machine (StartExecution). The endpoint comes from the SDK's
 * own configuration (AWS_ENDPOINT_URL_SFN locally), never from a code branch.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { dependencyFailures } from '#adapters/aws/dependency-failures.ts';
import type { DistributedRetrainStarter } from '#domain/models/retrain-path.ts';

export class StepFunctionsRetrainStarter implements DistributedRetrainStarter {
  private readonly client = new SFNClient({ maxAttempts: 5 });

  constructor(private readonly stateMachineArn: string) {
    this.client.middlewareStack.use(dependencyFailures('the retrain state machine'));
  }

  /** The execution is named after the run, so a retried start of the same run cannot start it twice. */
  async start(run: { runId: string; reason: string }): Promise<string> {
    const started = await this.client.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name: run.runId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80),
        input: JSON.stringify(run),
      }),
    );
    return started.executionArn ?? run.runId;
  }
}
