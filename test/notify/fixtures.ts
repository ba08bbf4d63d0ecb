import {
  incidentDedupKey,
  type Notification,
  type NotificationBody,
  type NotificationKind,
  notificationId,
} from '#lib/domain/notifications/notification.ts';

export const FIRING_SINCE = new Date('2026-11-23T09:58:00Z');
export const EVALUATED_AT = new Date('2026-11-23T10:05:00Z');

/** An error-rate alert of one project, as the alert job would publish it; `kind` and body overridable. */
export function alertNotification(
  kind: NotificationKind = 'alert.firing',
  body: Partial<NotificationBody> = {},
): Notification {
  return {
    id: notificationId({
      tenantId: 'ten_acme',
      kind,
      sourceId: 'rul_errors',
      group: 'checkout',
      at: EVALUATED_AT,
    }),
    tenantId: 'ten_acme',
    kind,
    createdAt: EVALUATED_AT.toISOString(),
    body: {
      title: 'Error rate above 5 % on checkout',
      summary: 'The error rate of project checkout was 7.5 % over the last 5 minutes.',
      severity: 'critical',
      metric: 'error_rate',
      value: 7.5,
      threshold: 5,
      unit: '%',
      window: { from: '2026-11-23T10:00:00Z', to: '2026-11-23T10:05:00Z' },
      project: 'checkout',
      tenantName: 'Acme',
      links: [{ href: 'https://app.meterhouse.example/alerts/rul_errors', text: 'Open the rule' }],
      incident: {
        dedupKey: incidentDedupKey({
          tenantId: 'ten_acme',
          ruleId: 'rul_errors',
          groupValue: 'checkout',
          firingSince: FIRING_SINCE,
        }),
        firingSince: FIRING_SINCE.toISOString(),
      },
      ...body,
    },
    targets: [
      { channelId: 'ch_slack', type: 'slack' },
      { channelId: 'ch_pd', type: 'pagerduty' },
      { channelId: 'ch_hook', type: 'webhook' },
    ],
  };
}
