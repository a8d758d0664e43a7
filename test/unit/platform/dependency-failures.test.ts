import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { dependencyFailures, isDependencyFailure } from '#adapters/aws/dependency-failures.ts';
import { DependencyError, ValidationError } from '#domain/errors.ts';
import { toProblem } from '#edge/problem.ts';
import { freePort } from '#local/platform.ts';

describe('dependency failures', () => {
  it('turns an unreachable endpoint into a DependencyError that names the service, not the endpoint', async () => {
    const port = await freePort();
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    client.middlewareStack.use(dependencyFailures('the database'));

    const failure = await client.send(new ListTablesCommand({})).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DependencyError);
    expect((failure as Error).message).toBe('the database is unavailable right now');
    expect((failure as Error).message).not.toContain(String(port));
    expect(((failure as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
    client.destroy();
  });

  it('tells service-side failures from the request’s own', () => {
    expect(isDependencyFailure({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } })).toBe(
      true,
    );
    expect(
      isDependencyFailure({
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      }),
    ).toBe(true);
    expect(isDependencyFailure({ name: 'TimeoutError' })).toBe(true);
    expect(
      isDependencyFailure({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } }),
    ).toBe(false);
    expect(isDependencyFailure({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } })).toBe(
      false,
    );
    expect(isDependencyFailure(new ValidationError('bad'))).toBe(false);
    expect(isDependencyFailure(new TypeError('a bug'))).toBe(false);
  });

  it('answers 503 with Retry-After and the safe message', () => {
    const { problem, headers } = toProblem(
      new DependencyError('3 of 40 events were not written; nothing was stored', { retryAfterSec: 7 }),
      'req-1',
    );

    expect(problem).toMatchObject({
      status: 503,
      detail: '3 of 40 events were not written; nothing was stored',
    });
    expect(headers['retry-after']).toBe('7');
  });
});
