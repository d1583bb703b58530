/**
 * Who may open OpenSearch Dashboards: people the operator invites into a Cognito user pool (no self
 * sign-up, each with their own password and an authenticator app). The domain sends them through the
 * pool's hosted login; the identity pool trades a login for credentials of one authenticated role,
 * which the domain's resource policy names and the setup maps onto a read-only Dashboards role. No
 * password is shared and none is stored by the stack.
 */
import { Aws, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import { acknowledgeFindings } from './nag.js';
import { retainUnlessFirstCreateFails } from './removal.js';

export interface DashboardsAuthProps {
  removalPolicy: RemovalPolicy;
}

export class DashboardsAuth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly loginDomain: cognito.UserPoolDomain;
  readonly identityPool: cognito.CfnIdentityPool;
  /** The role every signed-in Dashboards user acts as. */
  readonly authenticatedRole: iam.Role;
  /** Lets OpenSearch create its app client in the pool and attach it to the identity pool. */
  readonly openSearchRole: iam.Role;

  constructor(scope: Construct, id: string, props: DashboardsAuthProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Users', {
      // people are invited (admin-create-user, docs/aws.md); nobody signs themselves up
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      // the hosted login asks for an authenticator app at the first sign-in (QR code)
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // AWS's default plan for new pools, stated so a change shows in the diff; free up to 10,000 MAU
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      // no deletion protection: a rolled-back first create must be able to delete the (empty) pool;
      // the removal policy keeps it on `cdk destroy` and on replacement
      deletionProtection: false,
      removalPolicy: retainUnlessFirstCreateFails(props.removalPolicy),
    });
    acknowledgeFindings(this.userPool, [
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection needs the Plus plan ($0.02 per user-month, no free tier). The pool holds only invited people, and every sign-in needs a 12-character password and a TOTP code.',
      },
    ]);
    // prefix domains are global per region: the stack name and account keep two stacks apart
    this.loginDomain = this.userPool.addDomain('LoginDomain', {
      cognitoDomain: {
        domainPrefix: Fn.join('-', [
          Stack.of(this)
            .stackName.toLowerCase()
            .replace(/[^a-z0-9-]/g, '-'),
          'dashboards',
          Aws.ACCOUNT_ID,
        ]),
      },
    });

    // OpenSearch adds its own app client as the identity provider when it configures the domain
    this.identityPool = new cognito.CfnIdentityPool(this, 'Identities', {
      allowUnauthenticatedIdentities: false,
    });
    this.authenticatedRole = new iam.Role(this, 'AuthenticatedRole', {
      description: 'alpha15 Dashboards users signed in through the user pool',
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
    });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.identityPool.ref,
      roles: { authenticated: this.authenticatedRole.roleArn },
    });

    this.openSearchRole = new iam.Role(this, 'OpenSearchCognitoRole', {
      description: 'Lets OpenSearch configure the alpha15 Dashboards user and identity pools',
      assumedBy: new iam.ServicePrincipal('es.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonOpenSearchServiceCognitoAccess')],
    });
    acknowledgeFindings(this.openSearchRole, [
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonOpenSearchServiceCognitoAccess]',
        reason:
          'The policy AWS documents for the role OpenSearch assumes to configure Cognito, kept current by AWS with the calls OpenSearch makes; only the OpenSearch service can assume the role.',
      },
    ]);
  }

  /** What the domain's `cognitoDashboardsAuth` takes. */
  get cognitoOptions(): opensearch.CognitoOptions {
    return {
      userPoolId: this.userPool.userPoolId,
      identityPoolId: this.identityPool.ref,
      role: this.openSearchRole,
    };
  }
}
