/**
 * The one middy composition every handler uses: Powertools logger (Lambda context in every line) and
 * metrics (flushed once per invocation, with the service as dimension). Business code never sees middy:
 * a handler module hands this a plain async function.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export interface Tools {
  logger: Logger;
  metrics: Metrics;
}

/** Logger and metrics of one handler (service name from POWERTOOLS_SERVICE_NAME, set by the construct). */
export function createTools(serviceName: string): Tools {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Alpha15' }),
  };
}

export function wrapHandler<Result>(
  tools: Tools,
  run: (event: unknown, context: Context) => Promise<Result>,
) {
  return middy(run)
    .use(injectLambdaContext(tools.logger, { logEvent: false }))
    .use(logMetrics(tools.metrics));
}
