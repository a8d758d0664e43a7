/**
 * Powertools logger and metrics, created once per process and attached to every handler.
 * Locally, POWERTOOLS_METRICS_DISABLED and POWERTOOLS_LOG_LEVEL quiet them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marquee' });
export const metrics = new Metrics({
  namespace: 'Marquee',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marquee',
});

/**
 * Publishes what the invocation recorded. An invocation that recorded nothing publishes nothing
 * (Powertools would warn on every one of them, which says nothing anyone can act on).
 */
function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/** Logger context and metric flushing for one Lambda handler. */
export function withObservability(): middy.MiddlewareObj<unknown, unknown> {
  const log = injectLambdaContext(logger, { resetKeys: true });
  return {
    before: async (request) => {
      await log.before?.(request as never);
    },
    after: async (request) => {
      flushMetrics();
      await log.after?.(request as never);
    },
    onError: async (request) => {
      flushMetrics();
      await log.onError?.(request as never);
    },
  };
}
