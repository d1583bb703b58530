/**
 * The one middy composition every handler uses: Powertools logger (Lambda context in every line),
 * metrics (flushed once per invocation, with the service as dimension), and a failure line that
 * carries an error's stable code and data as fields, so a log query can count KLINE_CONFLICT or
 * ARCHIVE_CHECKSUM without parsing messages. Business code never sees middy: a handler module hands
 * this a plain async function.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { errorFields } from '../../src/errors.js';
import { POWERTOOLS_METRICS_NAMESPACE_ENV_VARIABLE } from '../../src/contracts/environment.js';
import { METRICS_NAMESPACE } from '../../src/contracts/metrics.js';

export interface Tools {
  logger: Logger;
  metrics: Metrics;
}

/** Logger and metrics of one handler (service name from POWERTOOLS_SERVICE_NAME, set by the construct). */
export function createTools(serviceName: string): Tools {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({
      serviceName,
      namespace: process.env[POWERTOOLS_METRICS_NAMESPACE_ENV_VARIABLE] ?? METRICS_NAMESPACE,
    }),
  };
}

export function wrapHandler<Result>(
  tools: Tools,
  run: (event: unknown, context: Context) => Promise<Result>,
) {
  return (
    middy(run)
      .use(injectLambdaContext(tools.logger, { logEvent: false }))
      .use(logMetrics(tools.metrics))
      // logs and lets the error propagate: the runtime still fails the invocation, so retries,
      // on-failure queues and Step Functions' Catch see it as before
      .onError((request) => {
        tools.logger.error('invocation failed', { failure: errorFields(request.error) });
      })
  );
}
