import { readdirSync, readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MeterhouseStack } from '#infra/cdk/meterhouse-stack.ts';
import { mkdtempSync } from 'node:fs';
const outdir = mkdtempSync('/tmp/probe-');
const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new MeterhouseStack(app, 'MeterhouseStack');
const { Bucket } = await import('aws-cdk-lib/aws-s3');
new Bucket(stack, 'Naughty');
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
try { app.synth(); console.log('synth ok'); } catch (e) { console.log('THROWN', String(e).slice(0, 300)); }
console.log('exitCode', process.exitCode, readdirSync(outdir));
for (const f of readdirSync(outdir)) if (f.includes('report')) console.log(readFileSync(`${outdir}/${f}`, 'utf8').slice(0, 3000));
process.exitCode = 0;
