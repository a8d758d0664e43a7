/**
 * A local Step Functions endpoint for the one call the platform makes, StartExecution of the
 * distributed retrain (AWS_ENDPOINT_URL_SFN points the SDK here): it answers like the service
 * (awsJson1_0) and runs the execution in the background with aws-local-stepfunctions
 * (local/retrain-machine.ts), each task invoking the retrainShard function; each execution's end
 * goes to `publish` (the local event bus) as Step Functions' status-change event.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BusEvent } from './event-bus.ts';
import { type InvokeRetrainTask, runRetrainMachine } from './retrain-machine.ts';

export interface LocalStepFunctions {
  url: string;
  /** Waits until every execution started so far has ended (succeeded or failed). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const START_EXECUTION = 'AWSStepFunctions.StartExecution';

async function bodyOf(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
}

/** Starts the endpoint on a free port of 127.0.0.1; `log` hears how each execution ended. */
export async function startLocalStepFunctions(
  invoke: InvokeRetrainTask,
  log: (message: string) => void,
  publish: (event: BusEvent) => void = () => {},
): Promise<LocalStepFunctions> {
  const running = new Set<Promise<unknown>>();
  const server = createServer(async (req, res) => {
    const target = req.headers['x-amz-target'];
    if (target !== START_EXECUTION) {
      answer(res, 400, { __type: 'UnknownOperationException', message: `${target} is not served locally` });
      return;
    }
    const request = JSON.parse(await bodyOf(req)) as {
      stateMachineArn: string;
      name?: string;
      input?: string;
    };
    const name = request.name ?? `local-${Date.now()}`;
    const executionArn = `${request.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const execution = runRetrainMachine(JSON.parse(request.input ?? '{}'), invoke, {
      publish,
      execution: { stateMachineArn: request.stateMachineArn, name },
    }).then(
      () => log(`distributed retrain ${name} succeeded`),
      (error: unknown) =>
        log(`distributed retrain ${name} failed: ${error instanceof Error ? error.message : error}`),
    );
    running.add(execution);
    void execution.finally(() => running.delete(execution));
    answer(res, 200, { executionArn, startDate: Date.now() / 1000 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    settle: async () => {
      while (running.size > 0) await Promise.all([...running]);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
