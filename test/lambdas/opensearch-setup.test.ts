/**
 * The OpenSearch setup custom resource's handler: the admin secret from a mocked Secrets Manager
 * (aws-sdk-client-mock), the domain played by a local OpenSearch stand-in that records what was installed.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { writerRoleName } from '../../lambdas/opensearch-setup/install.js';
import { readSavedObjects } from '../../src/telemetry/dashboards-import.js';
import { indexTemplates } from '../../src/telemetry/index-templates.js';
import { startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { lambdaContext } from './support/events.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:alpha15-admin-AbCdEf';
const WRITER_ROLE_ARN = 'arn:aws:iam::123456789012:role/Alpha15-PaperTradingTickRole';
const ADMIN = { username: 'alpha15-admin', password: 'correct-horse-battery-staple' };

const secrets = mockClient(SecretsManagerClient);
let openSearch: FakeOpenSearch;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;

before(async () => {
  openSearch = await startFakeOpenSearch();
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  ({ handler } = (await import('../../lambdas/opensearch-setup/handler.js')) as unknown as {
    handler: typeof handler;
  });
});
afterEach(() => secrets.reset());
after(async () => {
  secrets.restore();
  await openSearch.close();
});

/** A CloudFormation custom-resource event as the provider framework hands it to onEvent. */
function customResourceEvent(requestType: 'Create' | 'Update' | 'Delete', endpoint = openSearch.url) {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Alpha15/1',
    RequestId: 'r-1',
    LogicalResourceId: 'ObservabilitySetupResource',
    ResourceType: 'Custom::Alpha15OpenSearchSetup',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'alpha15-opensearch-setup' }),
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
      Endpoint: endpoint,
      AdminSecretArn: SECRET_ARN,
      IndexPrefix: 'alpha15',
      WriterRoleArns: [WRITER_ROLE_ARN],
      TemplatesVersion: 'abc',
    },
  };
}

test('create installs the index templates, the writer role mapped to the tick Lambda, and the dashboards, as the admin', async () => {
  secrets
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
    .resolves({ SecretString: JSON.stringify(ADMIN) });
  const response = (await handler(customResourceEvent('Create'), lambdaContext)) as {
    PhysicalResourceId: string;
    Data: { DashboardObjects: number };
  };

  assert.deepEqual(
    [...openSearch.templates.keys()].sort(),
    indexTemplates('alpha15')
      .map((template) => template.name)
      .sort(),
  );
  const role = writerRoleName('alpha15');
  assert.deepEqual(openSearch.roleMappings.get(role), { backend_roles: [WRITER_ROLE_ARN] });
  assert.deepEqual(
    (openSearch.securityRoles.get(role) as { index_permissions: { index_patterns: string[] }[] })
      .index_permissions[0]!.index_patterns,
    ['alpha15-*'],
  );
  const savedObjectLines = (await readSavedObjects('alpha15')).trim().split('\n').length;
  assert.equal(openSearch.savedObjects.size, savedObjectLines);
  assert.deepEqual(
    new Set([...openSearch.savedObjects.values()].map((object) => object.tenant)),
    new Set(['global']),
    'the saved objects land in the global tenant every user sees, not the admin\'s private one',
  );
  assert.deepEqual(response, {
    PhysicalResourceId: 'alpha15-opensearch-setup',
    Data: { DashboardObjects: savedObjectLines },
  });
  const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;
  assert.ok(
    openSearch.authorizations.every((authorization) => authorization === basic),
    'every call authenticates as the admin',
  );
});

test('an update installs everything again under the same physical id; a delete leaves the domain alone', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(ADMIN) });
  const requestsBefore = openSearch.requests.length;
  assert.equal(
    ((await handler(customResourceEvent('Update'), lambdaContext)) as { PhysicalResourceId: string })
      .PhysicalResourceId,
    'alpha15-opensearch-setup',
  );
  assert.ok(openSearch.requests.length > requestsBefore);

  const requestsAfterUpdate = openSearch.requests.length;
  assert.deepEqual(await handler(customResourceEvent('Delete'), lambdaContext), {
    PhysicalResourceId: 'alpha15-opensearch-setup',
  });
  assert.equal(openSearch.requests.length, requestsAfterUpdate);
  assert.equal(
    secrets.commandCalls(GetSecretValueCommand).length,
    1,
    'a delete does not even read the secret',
  );
});

test('a secret without a password fails the deployment with a typed error', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'alpha15-admin' }) });
  await assert.rejects(handler(customResourceEvent('Create'), lambdaContext), {
    name: 'OpenSearchSetupError',
    message: /lacks username\/password/,
  });
});

test('a domain that refuses a call fails the deployment, naming the call', async () => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(ADMIN) });
  // the stand-in answers 404 to anything outside its API: here, every path under an unknown base path
  await assert.rejects(
    handler(customResourceEvent('Create', `${openSearch.url}/not-a-domain`), lambdaContext),
    {
      name: 'OpenSearchSetupError',
      message: /^PUT \/_index_template\/alpha15-\S+ answered 404/,
    },
  );
});
