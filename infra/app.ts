/** The CDK entry point (`cdk.json`: `npx tsx infra/app.ts`). */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';
import { requireImageBuilder } from './image-builder.js';
import { readDeploySettings } from './settings.js';

const app = new App();
// Before any bundling: a deploy that must build the image on a machine without Docker stops here,
// naming the prebuilt-image alternative, instead of failing at the image build.
requireImageBuilder(readDeploySettings(app.node).trainingImageUri);
buildApp(app);
app.synth();
