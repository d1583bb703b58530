/**
 * The OpenSearch setup custom resource's handler against a local OpenSearch stand-in that authenticates
 * as the AWS domain does once the setup role is its master user: only requests SigV4-signed with the
 * function's credentials (recomputed by the stand-in) are served, Basic auth and anything else get 403.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { writerRoleName } from '../../src/telemetry/opensearch-setup-content.js';
import { readSavedObjects } from '../../src/telemetry/dashboards-import.js';
import { indexTemplates } from '../../src/telemetry/index-templates.js';
import { sigV4Refusal, startFakeOpenSearch, type FakeOpenSearch } from '../support/fake-opensearch.js';
import { lambdaContext } from './support/events.js';

const WRITER_ROLE_ARN = 'arn:aws:iam::123456789012:role/Alpha15-PaperTradingTickRole';
/** What Lambda puts in the setup function's environment: its role's session credentials. */
const SETUP_ROLE_CREDENTIALS = {
  accessKeyId: 'ASIASETUPROLE',
  secretAccessKey: 'setup-role-secret',
  region: 'eu-west-1',
};

let openSearch: FakeOpenSearch;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;

before(async () => {
  openSearch = await startFakeOpenSearch({ requireSigV4: SETUP_ROLE_CREDENTIALS });
  Object.assign(process.env, {
    AWS_REGION: SETUP_ROLE_CREDENTIALS.region,
    AWS_ACCESS_KEY_ID: SETUP_ROLE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SETUP_ROLE_CREDENTIALS.secretAccessKey,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  ({ handler } = (await import('../../lambdas/opensearch-setup/handler.js')) as unknown as {
    handler: typeof handler;
  });
});
after(async () => {
  await openSearch.close();
});

/** A CloudFormation custom-resource event as the provider framework hands it to onEvent. */
function customResourceEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  endpoint = openSearch.url,
  properties: Record<string, unknown> = {},
) {
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
      IndexPrefix: 'alpha15',
      WriterRoleArns: [WRITER_ROLE_ARN],
      ContentHash: 'abc',
      ...properties,
    },
  };
}

test('create installs the index templates, the writer role mapped to the tick Lambda, and the dashboards, signing every request as the setup role', async () => {
  const response = (await handler(customResourceEvent('Create'), lambdaContext)) as {
    PhysicalResourceId: string;
    Data: { DashboardObjects: number };
  };

  assert.deepEqual(openSearch.refused, [], 'the stand-in verified every signature');
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
    "the saved objects land in the global tenant every user sees, not the setup role's private one",
  );
  assert.deepEqual(response, {
    PhysicalResourceId: 'alpha15-opensearch-setup',
    Data: { DashboardObjects: savedObjectLines },
  });
  for (const authorization of openSearch.authorizations)
    assert.match(authorization ?? '', /^AWS4-HMAC-SHA256 Credential=ASIASETUPROLE\/\d{8}\/eu-west-1\/es\//);
});

test('an update installs everything again under the same physical id; a delete leaves the domain alone', async () => {
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
  assert.deepEqual(openSearch.refused, []);
});

test('a domain that refuses the setup role fails the deployment with a typed error naming the call', async (t) => {
  // the same key id with another secret: only recomputing the signature tells them apart
  const otherDomain = await startFakeOpenSearch({
    requireSigV4: { ...SETUP_ROLE_CREDENTIALS, secretAccessKey: 'not-the-setup-role-secret' },
  });
  t.after(() => otherDomain.close());
  await assert.rejects(handler(customResourceEvent('Create', otherDomain.url), lambdaContext), {
    name: 'OpenSearchSetupError',
    message: /^(PUT|POST) \/_index_template\/alpha15-\S+ answered HTTP 403: .*the signature does not match/,
  });
});

test('the stand-in refuses what an IAM-only domain refuses: Basic auth, no signature, and bytes other than those signed', async () => {
  const basic = await fetch(`${openSearch.url}/_index_template/alpha15-trades`, {
    method: 'PUT',
    headers: { authorization: `Basic ${Buffer.from('alpha15-admin:password').toString('base64')}` },
    body: '{}',
  });
  assert.equal(basic.status, 403);
  assert.match(openSearch.refused.at(-1)!, /not SigV4-signed \(Basic\)/);
  assert.equal((await fetch(`${openSearch.url}/_bulk`, { method: 'POST', body: '' })).status, 403);

  // a request the client really signed, replayed with one byte of its body changed
  const signed = openSearch.authorizations.find((authorization) => authorization?.startsWith('AWS4-'))!;
  const headers = {
    authorization: signed,
    host: '127.0.0.1',
    'x-amz-date': '20261129T000000Z',
    'x-amz-content-sha256': '0'.repeat(64),
  };
  assert.match(
    sigV4Refusal(
      { method: 'PUT', url: '/_index_template/x', headers },
      Buffer.from('{}'),
      SETUP_ROLE_CREDENTIALS,
    )!,
    /the body differs/,
  );
});

test('replicas follow the node count: every template and every existing telemetry index auto-expands 0-1, so a single node is green', async () => {
  const refusedBefore = openSearch.refused.length;
  await handler(customResourceEvent('Update'), lambdaContext);
  assert.ok(openSearch.templates.size > 0);
  for (const [name, template] of openSearch.templates)
    assert.equal(template.template.settings?.auto_expand_replicas, '0-1', name);
  assert.deepEqual(openSearch.indexSettings.get('alpha15-*'), { index: { auto_expand_replicas: '0-1' } });
  assert.equal(openSearch.refused.length, refusedBefore);
});

test('a break-glass administrator the deployer names is mapped onto all_access beside the master user; none named leaves all_access alone', async () => {
  const refusedBefore = openSearch.refused.length;
  openSearch.roleMappings.delete('all_access');
  await handler(customResourceEvent('Update'), lambdaContext);
  assert.equal(openSearch.roleMappings.get('all_access'), undefined, 'the master mapping is not touched');

  const master = 'arn:aws:iam::123456789012:role/Alpha15-ObservabilitySetupRole';
  const admin = 'arn:aws:iam::123456789012:role/BreakGlassAdmin';
  await handler(
    customResourceEvent('Update', openSearch.url, { MasterRoleArn: master, AdminRoleArns: [admin] }),
    lambdaContext,
  );
  assert.deepEqual(openSearch.roleMappings.get('all_access'), { backend_roles: [master, admin] });
  assert.equal(openSearch.refused.length, refusedBefore);
});
