/** The CDK entry point (`cdk.json`: `npx tsx infra/app.ts`). */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';

const app = new App();
buildApp(app);
app.synth();
