import { describe, expect, it } from 'vitest';
import { runScript } from '../support/processes.ts';

describe('npm run invoke', () => {
  it('runs a route handler with its sample event and prints the result', async () => {
    const result = await runScript('infra/local/invoke.ts', [
      'health-ready',
      'events/apigw/health-ready.json',
      '--memory',
    ]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { statusCode: number; body: string };
    expect(output.statusCode).toBe(200);
    expect(JSON.parse(output.body)).toMatchObject({ status: 'ready' });
  });

  it('runs a job handler with its sample event', async () => {
    const result = await runScript('infra/local/invoke.ts', [
      'job-expired-items-sweep',
      'events/eventbridge/job-expired-items-sweep.json',
      '--memory',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ deleted: 0 });
  });

  it('names the function it does not know', async () => {
    const result = await runScript('infra/local/invoke.ts', [
      'no-such-function',
      'events/apigw/health-live.json',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no manifest function "no-such-function"/);
  });
});
