import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIGatewayProxyEventV2, ScheduledEvent } from 'aws-lambda';

export const EVENTS_DIR = new URL('./', import.meta.url).pathname;

/** Placeholders a sample may carry, filled in when it is loaded: `{{platformKey}}` and friends. */
export type SampleValues = Partial<
  Record<'platformKey' | 'ingestKey' | 'accountKey' | 'tenantId' | 'now', string>
>;

function fill(text: string, values: SampleValues): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name as keyof SampleValues] ?? whole);
}

/** Reads a sample event (path relative to `events/` or absolute) with its placeholders filled. */
export function loadSampleEvent(path: string, values: SampleValues = {}): unknown {
  const file = path.startsWith('/') ? path : resolve(EVENTS_DIR, path.replace(/^events\//, ''));
  return JSON.parse(fill(readFileSync(file, 'utf8'), values));
}

export function loadApiGatewayEvent(path: string, values: SampleValues = {}): APIGatewayProxyEventV2 {
  const event = loadSampleEvent(path, values) as APIGatewayProxyEventV2;
  if (event.version !== '2.0' || !event.requestContext?.http) {
    throw new Error(`${path} is not an API Gateway HTTP API payload 2.0 event`);
  }
  return event;
}

export function loadScheduledEvent(path: string, values: SampleValues = {}): ScheduledEvent {
  const event = loadSampleEvent(path, values) as ScheduledEvent;
  if (event['detail-type'] !== 'Scheduled Event')
    throw new Error(`${path} is not an EventBridge scheduled event`);
  return event;
}

/** Where the sample for a manifest function lives: `apigw/<function>.json` or `eventbridge/<function>.json`. */
export function samplePathFor(functionName: string, kind: 'route' | 'job'): string {
  return `${kind === 'route' ? 'apigw' : 'eventbridge'}/${functionName}.json`;
}
