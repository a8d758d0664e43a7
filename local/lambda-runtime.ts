/**
 * Runs declared functions in-process the way Lambda would: the handler module is imported once
 * (cold start) and invoked with a Lambda-like context whose timeout is enforced.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type FunctionId, functions } from '#platform/declaration.ts';

export class FunctionTimeoutError extends Error {
  constructor(
    readonly functionId: string,
    readonly timeoutMs: number,
  ) {
    super(`${functionId} timed out after ${timeoutMs} ms`);
  }
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class LocalLambdaRuntime {
  private readonly loaded = new Map<FunctionId, Promise<Handler>>();

  constructor(
    private readonly repoRoot: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  private load(id: FunctionId): Promise<Handler> {
    let handler = this.loaded.get(id);
    if (!handler) {
      const entry = pathToFileURL(path.join(this.repoRoot, functions[id].entry)).href;
      handler = import(entry).then((module) => {
        if (typeof module.handler !== 'function')
          throw new Error(`${functions[id].entry} exports no handler`);
        return module.handler as Handler;
      });
      // A failed import (bad config) must not be cached: the next invoke retries it.
      handler.catch(() => this.loaded.delete(id));
      this.loaded.set(id, handler);
    }
    return handler;
  }

  /** Imports every handler now, so the first request does not pay for it. */
  async warm(ids: FunctionId[] = Object.keys(functions) as FunctionId[]): Promise<void> {
    await Promise.all(ids.map((id) => this.load(id)));
  }

  /** Invokes a function; rejects with FunctionTimeoutError past its declared timeout. */
  async invoke(id: FunctionId, event: unknown, timeoutOverrideMs?: number): Promise<unknown> {
    const declared = functions[id];
    const timeoutMs = timeoutOverrideMs ?? declared.timeoutSec * 1000;
    const started = Date.now();
    const requestId = randomUUID();
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: `marquee-local-${id}`,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:marquee-local-${id}`,
      memoryLimitInMB: String(declared.memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/marquee-local-${id}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
    const handler = await this.load(id);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        handler(event, context),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new FunctionTimeoutError(id, timeoutMs)), timeoutMs);
        }),
      ]);
    } catch (error) {
      this.log(`[${id}] ${requestId} failed: ${(error as Error).stack ?? error}`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
