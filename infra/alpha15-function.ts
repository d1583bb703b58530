/**
 * The one way alpha15 builds a Lambda: a Node.js 22 function bundled by the LOCAL esbuild (no Docker)
 * into one ES module, with its own log group and a role that may write only to that log group. The
 * handler modules live in `lambdas/<name>/handler.ts`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Names of the handlers under lambdas/. */
export type HandlerName =
  'ingest' | 'training-trigger' | 'tuning-trigger' | 'promotion' | 'paper-tick' | 'opensearch-setup';

export function handlerEntry(name: HandlerName): string {
  return path.join(REPO_ROOT, 'lambdas', name, 'handler.ts');
}

/**
 * ES modules have no `require`, `__dirname` or `__filename`; CommonJS dependencies bundled into the ESM
 * output (tfjs, the wasm loader) still reference them.
 */
export const ESM_BANNER = [
  "import { createRequire as __alpha15CreateRequire } from 'node:module';",
  "import { fileURLToPath as __alpha15FileUrlToPath } from 'node:url';",
  "import { dirname as __alpha15Dirname } from 'node:path';",
  'const require = __alpha15CreateRequire(import.meta.url);',
  'const __filename = __alpha15FileUrlToPath(import.meta.url);',
  'const __dirname = __alpha15Dirname(__filename);',
].join(' ');

/**
 * The native TensorFlow bindings are optional dependencies the backend selector tries at run time;
 * Lambda runs the wasm backend, so they stay out of the bundle. The AWS SDK v3 ships with the runtime.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

export interface Alpha15FunctionProps {
  handler: HandlerName;
  description: string;
  timeout: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  reservedConcurrentExecutions?: number;
  /** Files copied next to the bundle, e.g. wasm binaries loaded at run time. */
  commandHooks?: ICommandHooks;
  /** Receives async invocations that failed inside the function. */
  deadLetterQueue?: sqs.IQueue;
  logRetention?: logs.RetentionDays;
  removalPolicy?: RemovalPolicy;
}

export class Alpha15Function extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

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
      deadLetterQueue: props.deadLetterQueue,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.handler,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      bundling: {
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
        commandHooks: props.commandHooks,
      },
    });
  }
}

/** CloudWatch namespace of the Powertools metrics every handler emits. */
export const METRICS_NAMESPACE = 'Alpha15';

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
