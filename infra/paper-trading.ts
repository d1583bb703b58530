/**
 * The paper-trading clock: an EventBridge schedule (every minute) invokes one Lambda that runs the same
 * `tick()` as `alpha15 paper`. Overlapping ticks are safe: the ledger creates every record with a
 * conditional write. The timeout stays under the one-minute period, failed invocations land in the
 * function's failure queue (alarmed), and two more alarms watch it: any error, and minutes without a
 * completed tick.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Alpha15Function, copyIntoBundle, type BundledFile } from './alpha15-function.js';
import {
  LEDGER_QUARANTINE_METRIC,
  METRICS_NAMESPACE,
  TICK_COMPLETED_METRIC,
} from '../src/contracts/metrics.js';
import { BUCKET_PREFIXES } from '../src/contracts/keys.js';
import { grantBucketAccess } from './bucket-grants.js';
import { functionEnvironment } from '../src/contracts/function-env.js';
import { countAlarm } from './count-alarm.js';

export interface PaperTradingTelemetry {
  domain: opensearch.IDomain;
  indexPrefix: string;
}

export interface PaperTradingProps {
  bucket: s3.IBucket;
  symbols: readonly string[];
  schedule: events.Schedule;
  memorySizeMb: number;
  binanceBaseUrl: string;
  /**
   * Where tick records are indexed for dashboards; without it only the ledger records them. The stack
   * grants the write (`Observability.grantWrite`).
   */
  telemetry?: PaperTradingTelemetry;
  /** Reserve one execution (the `reservedConcurrency` setting); see Alpha15FunctionProps. */
  reserveConcurrency?: boolean;
  removalPolicy?: RemovalPolicy;
}

const WASM_PACKAGE = 'node_modules/@tensorflow/tfjs-backend-wasm';
/** What the wasm backend loads from disk at run time, relative to the project root and the bundle. */
export const WASM_RUNTIME_FILES: BundledFile[] = [
  { from: `${WASM_PACKAGE}/package.json`, to: WASM_PACKAGE },
  { from: `${WASM_PACKAGE}/dist/*.wasm`, to: `${WASM_PACKAGE}/dist` },
  { from: `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.js`, to: `${WASM_PACKAGE}/wasm-out` },
  {
    from: `${WASM_PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`,
    to: `${WASM_PACKAGE}/wasm-out`,
  },
];
/** Minutes in the missed-minute alarm's window, and how many of them may pass without a tick. */
const MISSED_WINDOW_MINUTES = 5;
const MISSED_MINUTES_TOLERATED = 1;

export class PaperTrading extends Construct {
  readonly handler: Alpha15Function;
  readonly rule: events.Rule;
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly missedMinutesAlarm: cloudwatch.Alarm;
  readonly quarantineAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PaperTradingProps) {
    super(scope, id);
    this.handler = new Alpha15Function(this, 'Tick', {
      handler: 'paper-tick',
      description: 'One paper-trading tick: close due positions, predict, open positions',
      // under the 1-minute period, so a slow tick cannot overlap the next one
      timeout: Duration.seconds(50),
      memorySize: props.memorySizeMb,
      // Unreserved, a slow tick and the next one may overlap; both go through the ledger's conditional
      // writes (S3 If-None-Match), so one decision per minute and no trade twice (test/lambdas/paper-tick).
      reservedConcurrentExecutions: props.reserveConcurrency ? 1 : undefined,
      environment: functionEnvironment({
        storeUrl: `s3://${props.bucket.bucketName}`,
        symbols: props.symbols.join(','),
        // the config's own variable: the tick reads Binance through the config like `alpha15 paper`
        binanceBaseUrl: props.binanceBaseUrl,
        // the wasm binaries ship in the bundle; without this a missing one would fall back to the pure-JS
        // backend, tens of times slower, and the tick would run out of its minute instead of failing
        backend: 'wasm',
        opensearchUrl: props.telemetry && `https://${props.telemetry.domain.domainEndpoint}`,
        indexPrefix: props.telemetry?.indexPrefix,
      }),
      // the wasm backend resolves its binaries (and the threaded build's worker files) through
      // require.resolve('@tensorflow/tfjs-backend-wasm/...'), so they ship in a node_modules beside the bundle
      commandHooks: copyIntoBundle(WASM_RUNTIME_FILES),
      // a retried tick would run for a minute that has passed; the ledger catches up on the next one
      asyncInvocation: { retryAttempts: 0, maxEventAge: Duration.seconds(60), failedEvent: 'a paper tick' },
      removalPolicy: props.removalPolicy,
    });
    const fn = this.handler.function;

    // the ledger deletes an open position once its trade is written, and moves corrupt records aside
    const ledger = `${BUCKET_PREFIXES.paper}*`;
    grantBucketAccess(
      props.bucket,
      this.handler.role,
      { read: [`${BUCKET_PREFIXES.models}*`, ledger], write: [ledger], delete: [ledger] },
      'The tick reads the champion model and appends to its ledger; nothing outside those two prefixes.',
    );

    this.rule = new events.Rule(this, 'EveryMinute', {
      description: 'alpha15 paper-trading clock',
      schedule: props.schedule,
      // a retried tick would run for a minute that has passed; the ledger catches up on the next one
      targets: [
        new targets.LambdaFunction(fn, { retryAttempts: 0, deadLetterQueue: this.handler.failureQueue }),
      ],
    });

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: 'alpha15 paper tick failed',
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.missedMinutesAlarm = new cloudwatch.Alarm(this, 'MissedMinutesAlarm', {
      alarmDescription:
        `alpha15 paper trading missed more than ${MISSED_MINUTES_TOLERATED} of ${MISSED_WINDOW_MINUTES} minutes. ` +
        'Expected to fire from the first deploy until a first champion exists: ticks skip (TicksWithoutChampion) ' +
        'until the first training job has finished; drop an object under requests/training/ to start one.',
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: TICK_COMPLETED_METRIC,
        dimensionsMap: { service: 'paper-tick' },
        statistic: 'Sum',
        period: Duration.minutes(MISSED_WINDOW_MINUTES),
      }),
      threshold: MISSED_WINDOW_MINUTES - MISSED_MINUTES_TOLERATED,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // no datapoint at all means no tick completed: that is the outage this alarm exists for
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.quarantineAlarm = countAlarm(this, 'QuarantineAlarm', {
      description: 'alpha15 paper tick quarantined a corrupt ledger object (see paper/quarantine/)',
      metricName: LEDGER_QUARANTINE_METRIC,
      service: 'paper-tick',
      period: Duration.minutes(5),
    });
  }

  get alarms(): cloudwatch.Alarm[] {
    return [this.errorsAlarm, this.missedMinutesAlarm, this.quarantineAlarm, this.handler.failureAlarm!];
  }
}
