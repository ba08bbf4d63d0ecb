import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as timestream from 'aws-cdk-lib/aws-timestream';
import { AwsSolutionsChecks, type IApplyRule, NagRuleCompliance } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeterhouseStack } from '#infra/cdk/meterhouse-stack.ts';
import { CloudFormationValidateWithNestedStacks } from '#infra/cdk/nag-suppressions.ts';
import type { FunctionSpec } from '#lib/manifest-types.ts';
import { routes } from '#lib/routes.ts';
import { schedules } from '#lib/schedules.ts';
import { bindingMatrix, cdkJsonContext, type Synthesized, synthesize } from './support.ts';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs?: { constructPath?: string }[] }[];
    suppressedViolations?: { ruleName: string; violatingConstructs?: { constructPath?: string }[] }[];
  }[];
}

/** The AWS Solutions pack, also recording every finding it checks, acknowledged or not, with its path. */
class RecordingChecks extends AwsSolutionsChecks {
  readonly checked: { id: string; path: string }[] = [];

  protected override applyRule(params: IApplyRule): void {
    const id = `${this.readPackName}-${params.ruleSuffixOverride ?? params.rule.name}`;
    const path = params.node.node.path;
    try {
      const result = params.rule(params.node);
      if (result === NagRuleCompliance.NON_COMPLIANT) this.checked.push({ id, path });
      else if (Array.isArray(result))
        for (const finding of result) this.checked.push({ id: `${id}[${finding}]`, path });
    } catch {
      this.checked.push({ id, path });
    }
    super.applyRule(params);
  }
}

const APIG4_REASON =
  "Bearer API keys are verified in the function's middleware (lib/http) against hashed keys in DynamoDB; " +
  'role and account scope are checked per route there, identically in the local runtime.';

describe.each([
  ['the manifests in lib/', { routes, schedules }],
  ['a synthetic manifest covering every binding', bindingMatrix],
])('cdk-nag on the stack built from %s', (_name, props) => {
  let synth: Synthesized;

  // Synthesis runs the AwsSolutions pack exactly as `cdk synth` does and throws on any unacknowledged error.
  beforeAll(() => {
    synth = synthesize(props, { nagChecks: true });
  });
  afterAll(() => synth?.cleanUp());

  it('has no unacknowledged AwsSolutions error or warning', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(synth.stack);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('checks the resources of every nested stack, where each finding is acknowledged', () => {
    const checks = new RecordingChecks(undefined, { verbose: true });
    expect(checks.validateScope(synth.stack).violations).toEqual([]);
    for (const family of synth.stack.families.keys()) {
      // Every function is granted X-Ray on "*", so every family has at least that finding to acknowledge.
      const inFamily = checks.checked.filter(({ path }) => path.startsWith(`MeterhouseStack/${family}/`));
      expect(
        inFamily.map(({ id }) => id),
        family,
      ).toContain('AwsSolutions-IAM5[Resource::*]');
    }
    // In a nested stack the config table's ARN is a parameter, and findings spell it so.
    const manifest: readonly FunctionSpec[] = [...props.routes, ...props.schedules];
    const readsConfig = manifest.some((entry) => entry.binds.includes('config:read'));
    const indexFindings = checks.checked.filter(({ id }) =>
      /^AwsSolutions-IAM5\[Resource::<referenceto\w+Arn>\/index\/\*\]$/.test(id),
    );
    expect(indexFindings.length > 0).toBe(readsConfig);
  });

  it('leaves no unacknowledged warning from any validation plugin', () => {
    // Warnings do not fail synthesis, so the written report is the only place they show.
    const reportPath = join(synth.outdir, 'validation-report.json');
    if (!existsSync(reportPath)) return;
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ValidationReport;
    const open = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((v) => `${plugin.pluginName}: ${v.severity} ${v.ruleName}`),
    );
    expect(open).toEqual([]);
  });

  it('gives every acknowledgement a specific written reason', () => {
    const acknowledgements = synth.stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(reason.length, `reason for ${id}`).toBeGreaterThanOrEqual(80);
    }
    expect(acknowledgements).toContainEqual([expect.stringMatching(/AwsSolutions-APIG4$/), APIG4_REASON]);
  });
});

// A finding planted in a nested stack must surface: proof that both validations look inside nested stacks.
describe('synthesis validations inside nested stacks', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'meterhouse-nested-validation-'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const stackWithCanary = (app: App) => {
    const stack = new MeterhouseStack(app, 'MeterhouseStack', bindingMatrix);
    const core = stack.families.get('Core');
    if (core === undefined) throw new Error('the binding matrix has Core routes');
    return { stack, core };
  };

  it('cdk-nag reports an unacknowledged finding in a nested stack at its path', () => {
    const { stack, core } = stackWithCanary(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    new sqs.Queue(core, 'Canary');
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toContain('AwsSolutions-SQS3 at MeterhouseStack/Core/Canary/Resource');
  });

  it('CloudFormation Validate checks nested templates and honours acknowledgements there', () => {
    const app = new App({ outdir, context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(new CloudFormationValidateWithNestedStacks(app));
    const { core } = stackWithCanary(app);
    // Timestream resources draw W3697 (service in maintenance mode), a warning, so synthesis completes.
    new timestream.CfnDatabase(core, 'Canary');
    const acknowledged = new timestream.CfnDatabase(core, 'AcknowledgedCanary');
    Validations.of(acknowledged).acknowledge({
      id: 'CloudFormation-Validate::W3697',
      reason:
        'A planted resource whose finding is acknowledged, to show acknowledgements reach nested stacks.',
    });
    app.synth();

    const report = JSON.parse(
      readFileSync(join(outdir, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
    const cfn = report.pluginReports.find((plugin) => plugin.pluginName === 'CloudFormation Validate');
    const at = (violations: { ruleName: string; violatingConstructs?: { constructPath?: string }[] }[]) =>
      violations.flatMap((v) =>
        (v.violatingConstructs ?? []).map((c) => `${v.ruleName} at ${c.constructPath}`),
      );
    expect(at(cfn?.violations ?? [])).toEqual(['W3697 at MeterhouseStack/Core/Canary']);
    expect(at(cfn?.suppressedViolations ?? [])).toContain('W3697 at MeterhouseStack/Core/AcknowledgedCanary');
  });
});
