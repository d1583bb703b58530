/**
 * The one way alpha15 builds a Lambda: a Node.js 22 function bundled by the LOCAL esbuild (no Docker)
 * into one ES module, with its own log group and a role that may write only to that log group. The
 * handler modules live in `lambdas/<name>/handler.ts`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import {
  NodejsFunction,
  OutputFormat,
  type BundlingOptions,
  type ICommandHooks,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './nag.js';
import { ESM_BANNER } from '../src/contracts/esm-bundle-banner.js';
import { METRICS_NAMESPACE } from '../src/contracts/metrics.js';
import {
  POWERTOOLS_METRICS_NAMESPACE_ENV_VARIABLE,
  POWERTOOLS_SERVICE_NAME_ENV_VARIABLE,
} from '../src/contracts/environment.js';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Names of the handlers under lambdas/. */
export type HandlerName =
  | 'ingest'
  | 'training-trigger'
  | 'tuning-trigger'
  | 'promotion'
  | 'paper-tick'
  | 'opensearch-setup'
  | 'backfill'
  | 'ledger-compaction'
  | 'runs-indexer';

export function handlerEntry(name: HandlerName): string {
  return path.join(REPO_ROOT, 'lambdas', name, 'handler.ts');
}

/**
 * The native TensorFlow bindings are optional dependencies the backend selector tries at run time;
 * Lambda runs the wasm backend, so they stay out of the bundle. So does the WebGPU starter, which
 * imports Dawn's native bindings and tfjs-backend-webgpu: marking the module itself external keeps its
 * imports from being hoisted into the bundle, and `auto` skips WebGPU when the import fails. The AWS
 * SDK v3 ships with the runtime.
 */
export const EXTERNAL_MODULES = [
  '@aws-sdk/*',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '*/webgpu-backend.js',
];

export interface Alpha15FunctionProps {
  handler: HandlerName;
  description: string;
  timeout: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  /**
   * Off unless the `reservedConcurrency` setting asks for it: every reservation takes executions out of
   * the account's unreserved pool, which Lambda keeps at 10 at least, and new accounts often have a
   * total of 10, so any reservation makes the stack fail to create there.
   */
  reservedConcurrentExecutions?: number;
  /** Files copied next to the bundle, e.g. wasm binaries loaded at run time. */
  commandHooks?: ICommandHooks;
  /**
   * For functions EventBridge (or S3) invokes asynchronously: Lambda's own retries, and where an event
   * goes once they are spent. Without an on-failure destination Lambda drops it silently.
   */
  asyncInvocation?: AsyncInvocationProps;
  logRetention?: logs.RetentionDays;
  removalPolicy?: RemovalPolicy;
}

export interface AsyncInvocationProps {
  /** Lambda's retries of an invocation that failed inside the function (0 to 2). */
  retryAttempts: number;
  maxEventAge?: Duration;
  /** What a failed event means, for the alarm description, e.g. "a training trigger event". */
  failedEvent: string;
}

export class Alpha15Function extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /**
   * Where failed asynchronous invocations land (the on-failure destination), and the rules' target
   * dead-letter queue too: one queue per function holds every event it never handled.
   */
  readonly failureQueue?: sqs.Queue;
  /** Fires as soon as the failure queue holds a message. */
  readonly failureAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: Alpha15FunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this function's group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `alpha15 ${props.handler} Lambda`,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [POWERTOOLS_SERVICE_NAME_ENV_VARIABLE]: props.handler,
        [POWERTOOLS_METRICS_NAMESPACE_ENV_VARIABLE]: METRICS_NAMESPACE,
        ...props.environment,
      },
      bundling: { ...BUNDLING, commandHooks: props.commandHooks },
    });
    if (props.asyncInvocation) {
      const failures = asyncFailureHandling(this, props.handler, props.asyncInvocation);
      this.function.configureAsyncInvoke({
        retryAttempts: props.asyncInvocation.retryAttempts,
        maxEventAge: props.asyncInvocation.maxEventAge,
        onFailure: new destinations.SqsDestination(failures.queue),
      });
      this.failureQueue = failures.queue;
      this.failureAlarm = failures.alarm;
    }
  }
}

function asyncFailureHandling(
  scope: Construct,
  handler: HandlerName,
  props: AsyncInvocationProps,
): { queue: sqs.Queue; alarm: cloudwatch.Alarm } {
  const queue = new sqs.Queue(scope, 'Failures', {
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeFindings(queue, [
    {
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the on-failure destination and dead-letter queue of the ${handler} function.`,
    },
  ]);
  const alarm = new cloudwatch.Alarm(scope, 'FailuresAlarm', {
    alarmDescription:
      `alpha15 ${handler}: ${props.failedEvent} failed after every retry and waits in the failure queue ` +
      '(the message holds the event and the error; redrive it once fixed, or purge it)',
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return { queue, alarm };
}

/** How every handler is bundled: the local esbuild (no Docker), one minified ES module for Node 22. */
export const BUNDLING = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_BANNER,
  minify: true,
  // Our typed errors take their name from the class; minified names would hide the situation.
  keepNames: true,
  sourceMap: true,
  externalModules: EXTERNAL_MODULES,
} as const satisfies BundlingOptions;

/**
 * The esbuild build options NodejsFunction derives from BUNDLING (it runs the esbuild CLI with the same
 * flags), for tests that run a handler's shipped bundle rather than its TypeScript.
 */
export function esbuildOptionsOf(name: HandlerName, outfile: string) {
  return {
    entryPoints: [handlerEntry(name)],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: BUNDLING.target,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    minify: BUNDLING.minify,
    keepNames: BUNDLING.keepNames,
    sourcemap: BUNDLING.sourceMap,
    external: [...BUNDLING.externalModules],
  };
}

/** A run-time file (glob, relative to the project root) and the folder (relative to the bundle) it goes to. */
export interface BundledFile {
  from: string;
  to: string;
}

/** Bundling hooks that copy run-time files beside the bundle; run in the local shell, like the local esbuild. */
export function copyIntoBundle(files: readonly BundledFile[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      files.map(
        ({ from, to }) => `mkdir -p "${outputDir}/${to}" && cp ${inputDir}/${from} "${outputDir}/${to}/"`,
      ),
  };
}
