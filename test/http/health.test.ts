import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack.close());

describe('health', () => {
  it('live answers without a key', async () => {
    const response = await stack.request('/health/live');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('ready probes every store', async () => {
    const response = await stack.request('/health/ready');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: { name: string; status: string }[] };
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => [c.name, c.status])).toEqual([
      ['config', 'up'],
      ['timeseries', 'up'],
    ]);
  });

  it('ready answers 503 naming the dependency that is down', async () => {
    // The config store goes away: the next probe must fail on it alone.
    await stack.stores.dynamo.close();
    const response = await stack.request('/health/ready');
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      status: string;
      checks: { name: string; status: string; detail?: string }[];
    };
    expect(body.status).toBe('unavailable');
    const config = body.checks.find((c) => c.name === 'config');
    expect(config?.status).toBe('down');
    expect(config?.detail).toBeTruthy();
    expect(body.checks.find((c) => c.name === 'timeseries')?.status).toBe('up');
  });
});
