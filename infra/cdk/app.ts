import { App } from 'aws-cdk-lib';
import { MeterhouseStack } from './meterhouse-stack.ts';
import { addNagChecks } from './nag-suppressions.ts';

// Environment-agnostic on purpose: no lookups, so synthesis needs no credentials and no cdk.context.json.
const app = new App();
new MeterhouseStack(app, 'MeterhouseStack', {
  description: 'Meterhouse: usage, cost and performance analytics for API platforms',
});
addNagChecks(app);
