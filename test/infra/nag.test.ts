import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindingMatrix, type Synthesized, synthesize } from './support.ts';

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

const APIG4_REASON =
  "Bearer API keys are verified in the function's middleware (lib/http) against hashed keys in DynamoDB; " +
  'role and account scope are checked per route there, identically in the local runtime.';

describe.each([
  ['the manifests in lib/', {}],
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
