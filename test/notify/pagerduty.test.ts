import { describe, expect, it } from 'vitest';
import {
  PAGERDUTY_EVENTS_URL,
  PAGERDUTY_SUMMARY_MAX,
  type PagerDutyTrigger,
  pagerDutyEvents,
  pagerDutyEventsUrl,
} from '#lib/notify/pagerduty.ts';
import { alertNotification } from './fixtures.ts';

const channel = {
  routingKey: 'R0123456789ABCDEF0123456789ABCDE',
  clientUrl: 'https://app.meterhouse.example',
};

describe('PagerDuty events', () => {
  it('trigger on firing with summary, source, severity, timestamp, custom details and links', () => {
    const notification = alertNotification('alert.firing');
    const [event, ...rest] = pagerDutyEvents(notification, channel);
    expect(rest).toEqual([]);
    expect(event).toEqual({
      routing_key: channel.routingKey,
      event_action: 'trigger',
      dedup_key: notification.body.incident?.dedupKey,
      payload: {
        summary:
          'Firing: Error rate above 5 % on checkout — error_rate 7.5 % vs threshold 5 % (2026-11-23 10:00:00 – 10:05:00 UTC) project checkout',
        source: 'meterhouse/ten_acme/checkout',
        severity: 'critical',
        timestamp: '2026-11-23T10:05:00.000Z',
        component: 'error_rate',
        group: 'checkout',
        class: 'alert.firing',
        custom_details: {
          notification_id: notification.id,
          kind: 'alert.firing',
          tenant: 'Acme',
          metric: 'error_rate',
          value: '7.5 % vs threshold 5 %',
          window: '2026-11-23 10:00:00 – 10:05:00 UTC',
          project: 'checkout',
          firing_since: '2026-11-23T09:58:00.000Z',
          summary: notification.body.summary,
        },
      },
      links: [{ href: 'https://app.meterhouse.example/alerts/rul_errors', text: 'Open the rule' }],
      client: 'Meterhouse',
      client_url: 'https://app.meterhouse.example',
    });
  });

  it('resolve with the same routing key and dedup_key as the trigger; a repeat re-triggers the same incident', () => {
    const [trigger] = pagerDutyEvents(alertNotification('alert.firing'), channel);
    const [repeat] = pagerDutyEvents(alertNotification('alert.repeat'), channel);
    const resolves = pagerDutyEvents(alertNotification('alert.resolved'), channel);
    expect(resolves).toEqual([
      { routing_key: channel.routingKey, event_action: 'resolve', dedup_key: trigger?.dedup_key },
    ]);
    expect(repeat).toMatchObject({ event_action: 'trigger', dedup_key: trigger?.dedup_key });
  });

  it('send a test as an info trigger followed by its resolve, so nothing stays open', () => {
    const notification = alertNotification('test', { incident: undefined, severity: 'critical' });
    const events = pagerDutyEvents(notification, channel);
    expect(events.map((event) => event.event_action)).toEqual(['trigger', 'resolve']);
    expect((events[0] as PagerDutyTrigger).payload.severity).toBe('info');
    expect(new Set(events.map((event) => event.dedup_key))).toEqual(new Set([notification.id]));
  });

  it('key budget notifications by their id, so a retry lands on the same alert', () => {
    const notification = alertNotification('budget.exceeded', { incident: undefined, severity: 'error' });
    expect(pagerDutyEvents(notification, channel)).toMatchObject([
      { dedup_key: notification.id, payload: { severity: 'error' } },
    ]);
  });

  it('cut the summary to 1,024 characters and keep our facts over clashing custom details', () => {
    // A title beyond the schema's bound: the format stays within PagerDuty's limit on its own.
    const notification = alertNotification('alert.firing', {
      title: 'x'.repeat(2_000),
      summary: 'y'.repeat(2_000),
      metric: 'm'.repeat(200),
      project: 'p'.repeat(200),
      details: { metric: 'spoofed', region: 'eu-west-1' },
    });
    const [event] = pagerDutyEvents(notification, channel) as PagerDutyTrigger[];
    expect(event?.payload.summary.length).toBe(PAGERDUTY_SUMMARY_MAX);
    expect(event?.payload.summary.endsWith('…')).toBe(true);
    expect(event?.payload.custom_details).toMatchObject({ metric: 'm'.repeat(200), region: 'eu-west-1' });
  });

  it('go to METERHOUSE_PAGERDUTY_EVENTS_URL when set, else to PagerDuty', () => {
    expect(pagerDutyEventsUrl({})).toBe(PAGERDUTY_EVENTS_URL);
    expect(pagerDutyEventsUrl({ METERHOUSE_PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:9/v2/enqueue' })).toBe(
      'http://127.0.0.1:9/v2/enqueue',
    );
  });
});
