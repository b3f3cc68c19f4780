// Entry of `npx cdk synth|diff|deploy` (cdk.json): build the app and write the cloud assembly.
import { buildApp } from './app.js';

buildApp().app.synth();
