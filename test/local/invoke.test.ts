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

  it('logs structured JSON lines that carry the API Gateway request id', async () => {
    const result = await runScript(
      'infra/local/invoke.ts',
      ['health-live', 'events/apigw/health-live.json', '--memory'],
      { POWERTOOLS_LOG_LEVEL: 'INFO' },
    );
    expect(result.code).toBe(0);
    const logs = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = logs.find((log) => log.message === 'request completed');
    expect(completed).toMatchObject({
      level: 'INFO',
      service: 'meterhouse',
      requestId: 'Ab1Cd2Ef3Gh4=',
      route: 'GET /health/live',
      path: '/health/live',
      status: 200,
      function_name: 'health-live',
    });
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
