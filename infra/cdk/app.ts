import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MeterhouseStack } from './meterhouse-stack.ts';

const app = new App();
new MeterhouseStack(app, 'MeterhouseStack', {
  description: 'Meterhouse: usage, cost and performance analytics for API platforms',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
