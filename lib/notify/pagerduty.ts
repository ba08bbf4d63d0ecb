import { dedupKeyOf, type Severity } from '#lib/domain/notifications/notification.ts';
import {
  formatWindow,
  oneLineSummary,
  type RenderableNotification,
  valueVsThreshold,
} from './presentation.ts';
import { truncate } from './text.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_SUMMARY_MAX = 1_024;
export const PAGERDUTY_DEDUP_KEY_MAX = 255;
/** Integration keys are 32 characters. */
export const PAGERDUTY_ROUTING_KEY = /^[A-Za-z0-9]{32}$/;

/** Where events go: `METERHOUSE_PAGERDUTY_EVENTS_URL` when set (tests, local stand-ins), else PagerDuty. */
export function pagerDutyEventsUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.METERHOUSE_PAGERDUTY_EVENTS_URL;
  return url === undefined || url === '' ? PAGERDUTY_EVENTS_URL : url;
}

export interface PagerDutyTrigger {
  routing_key: string;
  event_action: 'trigger';
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: Severity;
    timestamp: string;
    component?: string;
    group?: string;
    class: string;
    custom_details: Record<string, string | number | boolean | null>;
  };
  links: { href: string; text: string }[];
  client: string;
  client_url?: string;
}

export interface PagerDutyResolve {
  routing_key: string;
  event_action: 'resolve';
  dedup_key: string;
}

export type PagerDutyEvent = PagerDutyTrigger | PagerDutyResolve;

export interface PagerDutyChannel {
  routingKey: string;
  /** The product's base URL, shown as the client link on the incident. */
  clientUrl?: string;
}

/**
 * The Events API v2 events that carry a notification, to be sent in order (each answered 202
 * before the next):
 * - `alert.firing`, `alert.repeat`: a trigger with the incident's dedup_key (a repeat lands on the
 *   open alert as a log entry, it opens nothing new);
 * - `alert.resolved`: a resolve with the same routing key and dedup_key, as PagerDuty requires;
 * - budgets and statements: a trigger keyed by the notification id, so a retry re-lands on it;
 * - `test`: an `info` trigger and then its resolve. It proves what a real incident needs (the
 *   routing key opens an alert, the dedup_key resolves it) and leaves nothing open that someone
 *   would have to close by hand; an info trigger alone would sit open on the service. Sent again
 *   after a failed resolve, the trigger lands on the still-open alert, and the resolve closes it.
 */
export function pagerDutyEvents(
  notification: RenderableNotification,
  channel: PagerDutyChannel,
): PagerDutyEvent[] {
  const dedupKey = truncate(dedupKeyOf(notification), PAGERDUTY_DEDUP_KEY_MAX);
  const resolve: PagerDutyResolve = {
    routing_key: channel.routingKey,
    event_action: 'resolve',
    dedup_key: dedupKey,
  };
  switch (notification.kind) {
    case 'alert.resolved':
      return [resolve];
    case 'test':
      return [trigger(notification, channel, dedupKey, 'info'), resolve];
    default:
      return [trigger(notification, channel, dedupKey, notification.body.severity)];
  }
}

function trigger(
  notification: RenderableNotification,
  channel: PagerDutyChannel,
  dedupKey: string,
  severity: Severity,
): PagerDutyTrigger {
  const { body } = notification;
  const details: Record<string, string | number | boolean | null> = {
    notification_id: notification.id,
    kind: notification.kind,
    tenant: body.tenantName ?? notification.tenantId,
  };
  if (body.metric !== undefined) details.metric = body.metric;
  const measured = valueVsThreshold(body);
  if (measured !== undefined) details.value = measured;
  if (body.window !== undefined) details.window = formatWindow(body.window);
  if (body.project !== undefined) details.project = body.project;
  if (body.incident !== undefined) details.firing_since = body.incident.firingSince;
  if (body.summary !== '') details.summary = body.summary;
  // Free-form details first, so on a name clash the facts above win.
  const custom_details = { ...body.details, ...details };
  return {
    routing_key: channel.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncate(oneLineSummary(notification), PAGERDUTY_SUMMARY_MAX),
      source:
        body.project === undefined
          ? `meterhouse/${notification.tenantId}`
          : `meterhouse/${notification.tenantId}/${body.project}`,
      severity,
      timestamp: notification.createdAt,
      ...(body.metric === undefined ? {} : { component: body.metric }),
      ...(body.project === undefined ? {} : { group: body.project }),
      class: notification.kind,
      custom_details,
    },
    links: body.links.map((link) => ({ href: link.href, text: link.text })),
    client: 'Meterhouse',
    ...(channel.clientUrl === undefined ? {} : { client_url: channel.clientUrl }),
  };
}
