/**
 * Dashboards and alarms. An OpenSearch domain (one small node by default) receives the paper-trading
 * telemetry; it is encrypted at rest and between nodes, HTTPS only (TLS 1.2), and accepts only signed
 * requests from the roles its resource policy names: the telemetry writers (`grantWrite`), the setup
 * function, and the Dashboards users' authenticated role (Cognito, infra/dashboards-auth.ts). Fine-grained
 * access control maps each onto an OpenSearch role; its master user is the setup function's IAM role, so
 * no password exists. A custom resource (the setup) installs the index templates, the Dashboards saved
 * objects and those role mappings. CloudWatch holds the alarms (routed to one SNS topic) and a dashboard
 * of every function.
 */
import { readFileSync } from 'node:fs';
import { CustomResource, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { acknowledgeFindings, arnFindingToken, BASIC_EXECUTION_ROLE_FINDING } from './nag.js';
import { Construct } from 'constructs';
import { SAVED_OBJECTS_FILE, savedObjectsWithPrefix } from '../src/telemetry/dashboards-import.js';
import { setupContentHash } from '../src/telemetry/opensearch-setup-content.js';
import { Alpha15Function, copyIntoBundle } from './alpha15-function.js';
import { DashboardsAuth } from './dashboards-auth.js';
import { retainUnlessFirstCreateFails } from './removal.js';

export interface ObservabilityProps {
  instanceType: string;
  volumeSizeGb: number;
  indexPrefix: string;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
  /** A break-glass administrator (IAM role ARN): admitted by the domain and mapped onto `all_access`. */
  adminRoleArn?: string;
  removalPolicy: RemovalPolicy;
}

/** A function shown on the dashboard under a human title. */
export interface MonitoredFunction {
  title: string;
  handler: Alpha15Function;
}

export interface MonitorProps {
  functions: MonitoredFunction[];
  alarms: cloudwatch.Alarm[];
  /** Extra graphs, e.g. custom metrics of one component. */
  metrics?: { title: string; metric: cloudwatch.IMetric }[];
}

export class Observability extends Construct {
  readonly domain: opensearch.Domain;
  readonly dashboardsAuth: DashboardsAuth;
  /**
   * For people's tools that rebuild telemetry (`alpha15 reindex`, `alpha15 runs reindex`): a writer like
   * the Lambdas, assumable by principals of this account whose own policy allows sts:AssumeRole on it.
   */
  readonly operatorRole: iam.Role;
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly setup: Alpha15Function;
  readonly indexPrefix: string;
  private readonly writerRoleArns: string[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.indexPrefix = props.indexPrefix;
    this.dashboardsAuth = new DashboardsAuth(this, 'DashboardsAuth', { removalPolicy: props.removalPolicy });
    // before the domain: its role is the domain's master user
    this.setup = new Alpha15Function(this, 'Setup', {
      handler: 'opensearch-setup',
      description: 'Installs alpha15 index templates, dashboards and role mappings in OpenSearch',
      timeout: Duration.minutes(5),
      memorySize: 256,
      // dashboards-import.ts reads the saved objects from ./dashboards/ beside the (bundled) module
      commandHooks: copyIntoBundle([{ from: 'src/telemetry/dashboards/*.ndjson', to: 'dashboards' }]),
    });
    this.domain = telemetryDomain(this, props, domainLogsPolicy(this));
    const provider = setupProvider(this);
    this.operatorRole = new iam.Role(this, 'TelemetryOperatorRole', {
      description: 'Assumed to rebuild alpha15 telemetry in OpenSearch (alpha15 reindex, runs reindex)',
      assumedBy: new iam.AccountRootPrincipal(),
      maxSessionDuration: Duration.hours(1),
    });
    this.grantWrite({ role: this.operatorRole });
    // resolved at synth, after the writers were added
    installSetup(this, provider, props, Lazy.list({ produce: () => this.writerRoleArns }));
    this.alarmTopic = alarmTopic(this, props.alarmEmail);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `alpha15-${Stack.of(this).stackName}`,
    });
  }

  /**
   * Lets a function index telemetry, the one call a writer needs: its role is named in the domain's
   * resource policy and gets the same statement as its identity policy (signed requests to the bulk API,
   * the telemetry indices and their templates), and the setup maps it onto the OpenSearch writer role.
   */
  grantWrite(writer: { role: iam.IRole }): void {
    const role = writer.role;
    role.addToPrincipalPolicy(this.telemetryWriteStatement());
    const resourceStatement = this.telemetryWriteStatement();
    resourceStatement.addArnPrincipal(role.roleArn);
    this.domain.addAccessPolicies(resourceStatement);
    this.writerRoleArns.push(role.roleArn);
    const domainToken = arnFindingToken(this.domain) ?? this.domain.domainArn;
    acknowledgeFindings(
      role,
      [`${domainToken}/_index_template/${this.indexPrefix}-*`, `${domainToken}/${this.indexPrefix}-*`].map(
        (resource) => ({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: 'One index (and template) per telemetry stream, all under the configured index prefix.',
        }),
      ),
    );
  }

  /** Signed (SigV4) writes to the telemetry indices and their templates only. */
  private telemetryWriteStatement(): iam.PolicyStatement {
    const arn = this.domain.domainArn;
    return new iam.PolicyStatement({
      actions: ['es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpGet'],
      resources: [
        `${arn}/_bulk`,
        `${arn}/_index_template/${this.indexPrefix}-*`,
        `${arn}/${this.indexPrefix}-*`,
      ],
    });
  }

  /** Routes the alarms to the topic and lays out the dashboard. */
  monitor(props: MonitorProps): void {
    const domainAlarms = [
      new cloudwatch.Alarm(this, 'ClusterRedAlarm', {
        alarmDescription: 'alpha15 OpenSearch cluster is red',
        metric: this.domain.metricClusterStatusRed({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      }),
      new cloudwatch.Alarm(this, 'FreeStorageAlarm', {
        alarmDescription: 'alpha15 OpenSearch has under 2 GiB free',
        metric: this.domain.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' }),
        threshold: 2048,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      }),
    ];
    // a Set: an alarm handed in twice (a component's list and the stack's) gets one action
    const alarms = [...new Set([...props.alarms, ...domainAlarms])];
    for (const alarm of alarms) alarm.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));

    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));
    for (const { title, handler } of props.functions) {
      const fn = handler.function;
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${title}: invocations and errors`,
          left: [fn.metricInvocations(), fn.metricErrors(), fn.metricThrottles()],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: `${title}: duration`,
          left: [fn.metricDuration({ statistic: 'p95' }), fn.metricDuration({ statistic: 'Maximum' })],
          width: 12,
        }),
      );
    }
    for (const { title, metric } of props.metrics ?? []) {
      this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title, left: [metric], width: 12 }));
    }
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'OpenSearch: free storage (MiB)',
        left: [this.domain.metricFreeStorageSpace()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'OpenSearch: indexing latency (ms)',
        left: [this.domain.metricIndexingLatency()],
        width: 12,
      }),
    );
  }
}

/**
 * The domain's slow-search, slow-index and application log groups, and our own resource policy letting
 * the service write them, instead of the AwsCustomResource Lambda the domain construct would add for it.
 */
function domainLogsPolicy(scope: Observability): {
  logGroups: opensearch.LoggingOptions;
  policy: logs.ResourcePolicy;
} {
  const logGroup = (id: string) =>
    new logs.LogGroup(scope, id, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  const slowSearch = logGroup('SlowSearchLogs');
  const slowIndex = logGroup('SlowIndexLogs');
  const app = logGroup('AppLogs');
  const policy = new logs.ResourcePolicy(scope, 'LogsPolicy', {
    policyStatements: [
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('es.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [slowSearch, slowIndex, app].map((group) => group.logGroupArn),
      }),
    ],
  });
  return {
    logGroups: {
      slowSearchLogEnabled: true,
      slowSearchLogGroup: slowSearch,
      slowIndexLogEnabled: true,
      slowIndexLogGroup: slowIndex,
      appLogEnabled: true,
      appLogGroup: app,
    },
    policy,
  };
}

/**
 * The OpenSearch domain: one encrypted node, HTTPS only, every request signed, admitting the setup
 * function, the Dashboards users and (when set) the break-glass administrator; writers join later
 * through grantWrite.
 */
function telemetryDomain(
  scope: Observability,
  props: ObservabilityProps,
  logging: ReturnType<typeof domainLogsPolicy>,
): opensearch.Domain {
  const { setup, dashboardsAuth } = scope;
  const domain = new opensearch.Domain(scope, 'Domain', {
    version: opensearch.EngineVersion.OPENSEARCH_2_19,
    capacity: { dataNodes: 1, dataNodeInstanceType: props.instanceType, multiAzWithStandbyEnabled: false },
    ebs: { volumeSize: props.volumeSizeGb, volumeType: ec2.EbsDeviceVolumeType.GP3 },
    zoneAwareness: { enabled: false },
    encryptionAtRest: { enabled: true },
    nodeToNodeEncryption: true,
    enforceHttps: true,
    tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
    // an IAM master user turns HTTP Basic authentication off: every request must be signed
    fineGrainedAccessControl: { masterUserArn: setup.role.roleArn },
    cognitoDashboardsAuth: dashboardsAuth.cognitoOptions,
    logging: logging.logGroups,
    suppressLogsResourcePolicy: true,
    removalPolicy: retainUnlessFirstCreateFails(props.removalPolicy),
  });
  // CreateDomain fails when the user pool has no login domain yet ("Domain needs to be specified for
  // user pool") or CloudWatch Logs does not yet let the service write (suppressLogsResourcePolicy
  // dropped the dependency aws-cdk-lib would add)
  domain.node.addDependency(dashboardsAuth.loginDomain, logging.policy);
  // Every principal is a role of this stack; writers join through grantWrite.
  domain.addAccessPolicies(
    new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal(setup.role.roleArn)],
      // the setup's calls: PUT templates, roles and mappings; POST the Dashboards import
      actions: ['es:ESHttpGet', 'es:ESHttpPut', 'es:ESHttpPost'],
      resources: [`${domain.domainArn}/*`],
    }),
    new iam.PolicyStatement({
      principals: [new iam.ArnPrincipal(dashboardsAuth.authenticatedRole.roleArn)],
      // Dashboards calls OpenSearch with whatever methods its pages need; the reader role the setup
      // maps this role onto lets it read the telemetry and the global tenant, nothing else
      actions: ['es:ESHttp*'],
      resources: [`${domain.domainArn}/*`],
    }),
  );
  if (props.adminRoleArn) {
    domain.addAccessPolicies(
      new iam.PolicyStatement({
        principals: [new iam.ArnPrincipal(props.adminRoleArn)],
        // break glass: whatever a repair needs; the setup maps the role onto all_access
        actions: ['es:ESHttp*'],
        resources: [`${domain.domainArn}/*`],
      }),
    );
  }
  acknowledgeFindings(domain, [
    {
      id: 'AwsSolutions-OS1',
      reason:
        'No VPC: a NAT gateway would cost more than the domain. The public endpoint serves only SigV4-signed requests of the roles its resource policy names (HTTPS only); people reach Dashboards through Cognito.',
    },
    {
      id: 'AwsSolutions-OS3',
      reason:
        'Callers are Lambdas and people at changing addresses: the resource policy admits named IAM roles, not addresses, and people sign in through Cognito with MFA.',
    },
    {
      id: 'AwsSolutions-OS4',
      reason:
        'One data node by default to keep costs low; dedicated masters pay off only for multi-node clusters (set openSearchInstanceType for more).',
    },
    {
      id: 'AwsSolutions-OS7',
      reason: 'Telemetry is a rebuildable copy of the ledger in S3 (`alpha15 reindex`); one AZ is enough.',
    },
  ]);
  return domain;
}

/** aws-cdk-lib's custom-resource framework around the setup function. */
function setupProvider(scope: Observability): cr.Provider {
  const provider = new cr.Provider(scope, 'SetupProvider', { onEventHandler: scope.setup.function });
  acknowledgeFindings(provider, [
    {
      id: BASIC_EXECUTION_ROLE_FINDING,
      reason: 'The custom-resource framework function of aws-cdk-lib uses the AWS basic execution role.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${arnFindingToken(scope.setup.function)}:*]`,
      reason: 'The framework invokes any version of the setup function (`:*`), as aws-cdk-lib generates it.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'The runtime of the custom-resource framework function is chosen by aws-cdk-lib.',
    },
  ]);
  return provider;
}

/**
 * The custom resource that runs the setup on every deploy that changes what it installs: index
 * templates, Dashboards saved objects, and the role mappings of the writers, the Dashboards readers and
 * the administrators.
 */
function installSetup(
  scope: Observability,
  provider: cr.Provider,
  props: ObservabilityProps,
  writerRoleArns: string[],
): CustomResource {
  const savedObjects = savedObjectsWithPrefix(readFileSync(SAVED_OBJECTS_FILE, 'utf8'), props.indexPrefix);
  const setupResource = new CustomResource(scope, 'SetupResource', {
    serviceToken: provider.serviceToken,
    resourceType: 'Custom::Alpha15OpenSearchSetup',
    properties: {
      Endpoint: `https://${scope.domain.domainEndpoint}`,
      IndexPrefix: props.indexPrefix,
      WriterRoleArns: writerRoleArns,
      DashboardsReaderRoleArns: [scope.dashboardsAuth.authenticatedRole.roleArn],
      // all_access keeps the master user (this function's role) beside the break-glass administrator
      MasterRoleArn: scope.setup.role.roleArn,
      AdminRoleArns: props.adminRoleArn ? [props.adminRoleArn] : [],
      // a changed ndjson, template, mapping or role changes this, so `cdk deploy` installs it again
      ContentHash: setupContentHash(props.indexPrefix, savedObjects),
    },
  });
  // the access policy (an SDK call aws-cdk-lib makes after the domain exists) admits the setup role
  const accessPolicy = scope.domain.node.tryFindChild('AccessPolicy');
  if (accessPolicy) setupResource.node.addDependency(accessPolicy);
  return setupResource;
}

/** The SNS topic every alarm notifies, with the operator's e-mail subscribed when given. */
function alarmTopic(scope: Observability, alarmEmail: string | undefined): sns.Topic {
  const topic = new sns.Topic(scope, 'AlarmTopic', { displayName: 'alpha15 alarms', enforceSSL: true });
  acknowledgeFindings(topic, [
    {
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry no data beyond alarm names; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key would cost more than the topic.',
    },
  ]);
  if (alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
  return topic;
}
