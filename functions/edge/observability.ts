/**
 * Powertools logger and metrics, created once per process and attached to every handler.
 * Locally, POWERTOOLS_METRICS_DISABLED and POWERTOOLS_LOG_LEVEL quiet them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marquee' });
export const metrics = new Metrics({
  namespace: 'Marquee',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'marquee',
});

/** Logger context and metric flushing for one Lambda handler. */
export function withObservability(): middy.MiddlewareObj<unknown, unknown> {
  const log = injectLambdaContext(logger, { resetKeys: true });
  const flush = logMetrics(metrics);
  return {
    before: async (request) => {
      await log.before?.(request as never);
      await flush.before?.(request as never);
    },
    after: async (request) => {
      await flush.after?.(request as never);
      await log.after?.(request as never);
    },
    onError: async (request) => {
      await flush.onError?.(request as never);
      await log.onError?.(request as never);
    },
  };
}
