import type { ChannelType } from './notification.ts';

/** What one attempt observed: the receiver's answer, or why there was none. */
export interface AttemptObservation {
  /** HTTP status, or null when no answer came (refused, timed out, connection failed). */
  status: number | null;
  headers: { 'retry-after'?: string };
  /** The start of the answer body, as text (Slack's error string lives here). */
  bodySnippet: string;
  error?: AttemptError;
}

export interface AttemptError {
  /** `refused`: our destination policy stopped it before any connection (SSRF guard). */
  kind: 'refused' | 'timeout' | 'network';
  message: string;
}

/** A channel that can no longer receive: `broken` (Slack: gone, revoked) or `disabled` (410 from a webhook). */
export interface ChannelCondition {
  state: 'broken' | 'disabled';
  reason: string;
}

export type DeliveryOutcome =
  | { result: 'delivered' }
  | { result: 'retry'; reason: string; retryAfter?: string }
  | { result: 'failed'; reason: string; channel?: ChannelCondition };

/** Slack's error strings that mean the webhook or its channel is gone: never retried. */
const SLACK_CHANNEL_GONE = new Set([
  'invalid_token',
  'action_prohibited',
  'channel_not_found',
  'no_service',
  'channel_is_archived',
]);

/**
 * Success, retry, or permanent failure of one attempt, per receiver (the facts in NOTIFY.md):
 * - every channel: no answer (timeout, reset, DNS failure) is retried; a destination our policy
 *   refuses fails at once and breaks the channel (its URL resolves somewhere it must never reach);
 * - Slack: 200 is success; 429 and 5xx are retried; `invalid_token`, `action_prohibited`,
 *   `channel_not_found`, `no_service`, `channel_is_archived` (and any 403/404/410) break the
 *   channel; other 4xx (`invalid_payload`) fail without retry: the same body would fail again;
 * - PagerDuty: 2xx (202) is success; 429 and 5xx are retried; 4xx (400 bad event) fails;
 * - webhooks (Standard Webhooks): 2xx is success; 410 disables the channel; every other answer,
 *   3xx included (never followed), is retried, as the spec and Svix do: a receiver mid-deploy
 *   answers 404 or 400 for a while, and the schedule ends in `dead` anyway.
 */
export function classifyAttempt(channel: ChannelType, attempt: AttemptObservation): DeliveryOutcome {
  if (attempt.error !== undefined || attempt.status === null) {
    const error = attempt.error ?? { kind: 'network', message: 'no answer' };
    if (error.kind === 'refused') {
      const reason = `destination refused: ${error.message}`;
      return { result: 'failed', reason, channel: { state: 'broken', reason } };
    }
    return { result: 'retry', reason: `${error.kind}: ${error.message}` };
  }
  const status = attempt.status;
  const reason = describeAnswer(status, attempt.bodySnippet);
  const retry = (): DeliveryOutcome =>
    attempt.headers['retry-after'] === undefined
      ? { result: 'retry', reason }
      : { result: 'retry', reason, retryAfter: attempt.headers['retry-after'] };
  if (status === 429 || status >= 500) return retry();

  switch (channel) {
    case 'slack': {
      if (status === 200) return { result: 'delivered' };
      const slackError = attempt.bodySnippet.trim();
      if (SLACK_CHANNEL_GONE.has(slackError) || status === 403 || status === 404 || status === 410) {
        return { result: 'failed', reason, channel: { state: 'broken', reason } };
      }
      return { result: 'failed', reason };
    }
    case 'pagerduty':
      if (status >= 200 && status < 300) return { result: 'delivered' };
      return { result: 'failed', reason };
    case 'webhook':
      if (status >= 200 && status < 300) return { result: 'delivered' };
      if (status === 410) return { result: 'failed', reason, channel: { state: 'disabled', reason } };
      return retry();
  }
}

const MAX_REASON_DETAIL = 200;

/** "HTTP 404 channel_not_found": the status and the first line of what the receiver said. */
function describeAnswer(status: number, bodySnippet: string): string {
  const firstLine = bodySnippet.trim().split(/\r?\n/, 1)[0] ?? '';
  const detail = [...firstLine].slice(0, MAX_REASON_DETAIL).join('');
  return detail === '' ? `HTTP ${status}` : `HTTP ${status} ${detail}`;
}
