import { describe, expect, it } from 'vitest';
import {
  type AttemptObservation,
  classifyAttempt,
  type DeliveryOutcome,
} from '#lib/domain/notifications/delivery-outcome.ts';
import type { ChannelType } from '#lib/domain/notifications/notification.ts';

const answer = (status: number, bodySnippet = '', retryAfter?: string): AttemptObservation => ({
  status,
  headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  bodySnippet,
});
const noAnswer = (kind: 'refused' | 'timeout' | 'network', message: string): AttemptObservation => ({
  status: null,
  headers: {},
  bodySnippet: '',
  error: { kind, message },
});

const delivered: DeliveryOutcome = { result: 'delivered' };
const broken = (reason: string): DeliveryOutcome => ({
  result: 'failed',
  reason,
  channel: { state: 'broken', reason },
});

describe('attempt outcomes', () => {
  it.each<[ChannelType, AttemptObservation, DeliveryOutcome]>([
    // Slack
    ['slack', answer(200, 'ok'), delivered],
    [
      'slack',
      answer(429, 'rate_limited', '30'),
      { result: 'retry', reason: 'HTTP 429 rate_limited', retryAfter: '30' },
    ],
    ['slack', answer(500, 'rollup_error'), { result: 'retry', reason: 'HTTP 500 rollup_error' }],
    ['slack', answer(400, 'invalid_token'), broken('HTTP 400 invalid_token')],
    ['slack', answer(403, 'action_prohibited'), broken('HTTP 403 action_prohibited')],
    ['slack', answer(404, 'channel_not_found'), broken('HTTP 404 channel_not_found')],
    ['slack', answer(404, 'no_service'), broken('HTTP 404 no_service')],
    ['slack', answer(410, 'channel_is_archived'), broken('HTTP 410 channel_is_archived')],
    ['slack', answer(400, 'invalid_payload'), { result: 'failed', reason: 'HTTP 400 invalid_payload' }],
    ['slack', answer(302), { result: 'failed', reason: 'HTTP 302' }],
    // PagerDuty
    ['pagerduty', answer(202, '{"status":"success"}'), delivered],
    [
      'pagerduty',
      answer(400, '{"status":"invalid event"}'),
      { result: 'failed', reason: 'HTTP 400 {"status":"invalid event"}' },
    ],
    ['pagerduty', answer(429), { result: 'retry', reason: 'HTTP 429' }],
    ['pagerduty', answer(503), { result: 'retry', reason: 'HTTP 503' }],
    // Standard Webhooks
    ['webhook', answer(204), delivered],
    [
      'webhook',
      answer(410, 'gone'),
      { result: 'failed', reason: 'HTTP 410 gone', channel: { state: 'disabled', reason: 'HTTP 410 gone' } },
    ],
    ['webhook', answer(302), { result: 'retry', reason: 'HTTP 302' }],
    ['webhook', answer(404), { result: 'retry', reason: 'HTTP 404' }],
    [
      'webhook',
      answer(502, '', 'Mon, 23 Nov 2026 10:01:00 GMT'),
      { result: 'retry', reason: 'HTTP 502', retryAfter: 'Mon, 23 Nov 2026 10:01:00 GMT' },
    ],
  ])('%s %j → %j', (channel, attempt, expected) => {
    expect(classifyAttempt(channel, attempt)).toEqual(expected);
  });

  it.each<ChannelType>(['slack', 'pagerduty', 'webhook'])(
    '%s: timeouts and network errors are retried',
    (channel) => {
      expect(classifyAttempt(channel, noAnswer('timeout', 'no answer within 15000 ms'))).toEqual({
        result: 'retry',
        reason: 'timeout: no answer within 15000 ms',
      });
      expect(classifyAttempt(channel, noAnswer('network', 'ECONNRESET: socket hang up')).result).toBe(
        'retry',
      );
    },
  );

  it.each<ChannelType>(['slack', 'pagerduty', 'webhook'])(
    '%s: a refused destination fails at once and breaks the channel',
    (channel) => {
      const reason = 'destination refused: hooks.example resolves to 10.0.0.1 is a private address';
      expect(
        classifyAttempt(
          channel,
          noAnswer('refused', 'hooks.example resolves to 10.0.0.1 is a private address'),
        ),
      ).toEqual(broken(reason));
    },
  );

  it('records only the first line of a long answer, cut at 200 characters', () => {
    const outcome = classifyAttempt('pagerduty', answer(400, `${'e'.repeat(500)}\nsecond line`));
    expect(outcome).toEqual({ result: 'failed', reason: `HTTP 400 ${'e'.repeat(200)}` });
  });
});
